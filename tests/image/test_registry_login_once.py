"""An image deploy's registry reads (its tag, then each layer it may hold) log in to the registry once: one
client per registry host, not one per call (for ECR each login is a GetAuthorizationToken)."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from genesys_tasks.aws.base import CallLog, RetryPolicy
from genesys_tasks.aws.ecr import EcrAdapter


class _BasicAuthRegistry(BaseHTTPRequestHandler):
    """Answers HEAD with 401 (Basic) until the request carries credentials, then 404: nothing is held."""

    challenged: list[str] = []

    def do_HEAD(self):
        if "Authorization" not in self.headers:
            type(self).challenged.append(self.path)
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="test"')
        else:
            self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_the_tag_and_layer_reads_of_one_deploy_log_in_to_the_registry_once(tmp_path, monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _BasicAuthRegistry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host = f"127.0.0.1:{server.server_address[1]}"
    auth = tmp_path / "auth.json"
    auth.write_text(json.dumps({"auths": {host: {"auth": base64.b64encode(b"someone:secret").decode()}}}))
    monkeypatch.setenv("REGISTRY_AUTH_FILE", str(auth))
    _BasicAuthRegistry.challenged = []
    ecr = EcrAdapter(None, CallLog(), RetryPolicy())
    try:
        assert not ecr.image_pushed(Repository=f"{host}/genesys/fn", Digest="sha256:" + "a" * 64, Tag="genesys-live")
        for layer in "bcd":
            assert not ecr.blob_pushed(Repository=f"{host}/genesys/fn", Digest="sha256:" + layer * 64)
    finally:
        server.shutdown()
    assert _BasicAuthRegistry.challenged == ["/v2/genesys/fn/manifests/genesys-live"], _BasicAuthRegistry.challenged
