"""The OCI distribution API, client side: pull a base image, push only what a registry lacks.

Plain HTTP only for loopback registries (127.0.0.1, localhost, ::1), HTTPS everywhere else, as
Docker does by default. Authentication answers the registry's challenge: ``Bearer`` (a token from
its realm, anonymous unless credentials are known: how public registries hand out pulls) or
``Basic``. Credentials come from ``credentials(host)``: by default the standard auth file
(``REGISTRY_AUTH_FILE``, else ``~/.docker/config.json``); the deploy passes ECR's token instead.

A push HEADs every blob and uploads only the missing ones (one PUT up to ``CHUNK`` bytes, else
PATCHed chunks), then puts the manifest by its digest. ``uploaded`` counts the bytes sent.
Every failure is a ``RegistryError`` (exit 1) naming the image and the registry.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Callable, Optional

from ...config.image_ref import ImageRef
from ...errors import BuildError, ConfigError
from . import oci
from .blobs import BlobStore, digest_of, file_digest

CHUNK = 16 * 1024 * 1024
TIMEOUT = 60
ACCEPT = ", ".join(oci.MANIFEST_TYPES + oci.INDEX_TYPES)
Credentials = Callable[[str], Optional[tuple[str, str]]]


class RegistryError(BuildError):
    """A registry could not be reached, refused a request, or answered something else than an image."""


def auth_file_credentials(host: str) -> tuple[str, str] | None:
    """The user and password ``REGISTRY_AUTH_FILE`` (else ``~/.docker/config.json``) holds for ``host``."""
    path = Path(os.environ.get("REGISTRY_AUTH_FILE") or Path.home() / ".docker" / "config.json")
    try:
        auths = json.loads(path.read_text(encoding="utf-8")).get("auths") or {}
    except (OSError, ValueError, AttributeError):
        return None
    for key in (host, f"https://{host}", f"http://{host}") if isinstance(auths, dict) else ():
        entry = auths.get(key)
        if isinstance(entry, dict) and entry.get("auth"):
            try:
                user, colon, password = base64.b64decode(str(entry["auth"]), validate=True).decode().partition(":")
            except ValueError:
                colon = ""
            if not colon:
                raise ConfigError(f"{path}: the auth of {key} is not base64 of user:password",
                                  hint=f"log in to {host} again (podman login / docker login rewrite it)")
            return user, password
    return None


def _challenge(header: str) -> tuple[str, dict]:
    scheme, _, rest = header.partition(" ")
    return scheme.lower(), dict(re.findall(r'(\w+)="([^"]*)"', rest))


class Registry:
    """One registry host; ``ref`` names say which repository each call is for."""

    def __init__(self, host: str, *, loopback: bool, credentials: Credentials = auth_file_credentials):
        self.host = host
        self.base = f"{'http' if loopback else 'https'}://{host}"
        self.credentials = credentials
        self.tokens: dict[str, str] = {}  # repository path → Authorization header value
        self.uploaded = 0

    @classmethod
    def for_ref(cls, ref: ImageRef, credentials: Credentials = auth_file_credentials) -> Registry:
        return cls(ref.host, loopback=ref.loopback, credentials=credentials)

    # --- one request, authenticated on demand

    def _authorize(self, path: str, header: str, what: str) -> None:
        scheme, params = _challenge(header)
        login = self.credentials(self.host)
        if scheme == "basic":
            if login is None:
                raise RegistryError(f"{what}: {self.host} asks for a user and password",
                                    hint=self._login_hint())
            self.tokens[path] = "Basic " + base64.b64encode(":".join(login).encode()).decode()
            return
        query = {k: v for k, v in params.items() if k in ("service", "scope")}
        query.setdefault("scope", f"repository:{path}:pull,push")
        request = urllib.request.Request(params.get("realm", "") + "?" + urllib.parse.urlencode(query))
        if login is not None:
            request.add_header("Authorization", "Basic " + base64.b64encode(":".join(login).encode()).decode())
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                answer = json.loads(response.read())
        except (OSError, ValueError) as err:
            raise RegistryError(f"{what}: no token from {params.get('realm')} ({err})", hint=self._login_hint()) from None
        self.tokens[path] = "Bearer " + (answer.get("token") or answer.get("access_token") or "")

    def _login_hint(self) -> str:
        return (f"log in to {self.host} (podman login / docker login write the auth file genesys reads; "
                "REGISTRY_AUTH_FILE names another), or check the name")

    def request(self, method: str, path: str, url: str, what: str, *, data=None, headers=None,
                missing_ok=False, sink=None):
        """(status, headers, body) of one call; a 401 is answered once with credentials. With ``sink``
        (a binary file) the body is copied there in chunks instead (a layer may be gigabytes)."""
        for attempt in (1, 2):
            request = urllib.request.Request(url if url.startswith("http") else self.base + url, data=data,
                                             method=method, headers=dict(headers or {}))
            if path in self.tokens:
                request.add_header("Authorization", self.tokens[path])
            try:
                with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                    if sink is not None:
                        shutil.copyfileobj(response, sink, CHUNK)
                        return response.status, response.headers, b""
                    return response.status, response.headers, response.read()
            except urllib.error.HTTPError as err:
                body = err.read()[:500].decode(errors="replace")
                if err.code == 401 and attempt == 1 and err.headers.get("WWW-Authenticate"):
                    self._authorize(path, err.headers["WWW-Authenticate"], what)
                    continue
                if err.code == 404 and missing_ok:
                    return 404, err.headers, b""
                raise RegistryError(f"{what}: {self.host} answered {err.code} {err.reason} {body}".rstrip(),
                                    hint=self._login_hint() if err.code in (401, 403) else
                                    f"check that {self.host} is an OCI registry and the name is right") from None
            except (OSError, ValueError) as err:
                reason = getattr(err, "reason", err)
                raise RegistryError(f"{what}: cannot reach {self.base} ({reason})",
                                    hint=f"check the network and the name of the registry ({self.host})") from None
        raise RegistryError(f"{what}: {self.host} refused the credentials", hint=self._login_hint())

    # --- pulling

    def manifest(self, ref: ImageRef, arch: str) -> tuple[bytes, dict]:
        """The raw manifest of ``ref`` for ``arch`` (an index is followed to the platform's manifest)."""
        what = f"pulling {ref}"
        _, headers, body = self.request("GET", ref.path, f"/v2/{ref.path}/manifests/{ref.reference}", what,
                                        headers={"Accept": ACCEPT})
        if ref.digest and digest_of(body) != ref.digest:
            raise RegistryError(f"{what}: the manifest {self.host} sent does not match its digest",
                                hint="the registry or a proxy altered it; try again")
        document = self._image_document(body, what)
        if document.get("mediaType", headers.get("Content-Type")) in oci.INDEX_TYPES or "manifests" in document:
            wanted = oci.PLATFORM[arch]
            found = [m for m in document.get("manifests", [])
                     if (m.get("platform") or {}).get("architecture") == wanted
                     and (m.get("platform") or {}).get("os", "linux") == "linux"]
            if not found:
                raise RegistryError(f"{what}: no linux/{wanted} image in it",
                                    hint=f"pick a base image built for {arch}")
            pinned = ImageRef(ref.host, ref.path, None, found[0]["digest"])
            return self.manifest(pinned, arch)
        if not isinstance(document.get("config"), dict) or not isinstance(document.get("layers"), list):
            raise self._not_an_image(what)
        return body, document

    def _image_document(self, body: bytes, what: str) -> dict:
        try:
            document = json.loads(body)
        except ValueError:
            document = None
        if not isinstance(document, dict):
            raise self._not_an_image(what)
        return document

    def _not_an_image(self, what: str) -> RegistryError:
        return RegistryError(f"{what}: {self.host} answered something else than an image manifest",
                             hint=f"check that {self.host} is an OCI registry and the name is right")

    def fetch_blob(self, ref: ImageRef, digest: str, store: BlobStore) -> None:
        """Put blob ``digest`` of ``ref``'s repository in ``store`` (nothing to do when it is there)."""
        if store.has(digest):
            return
        folder = store.folder / "tmp"
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f"pull.{os.getpid()}"
        try:
            with open(tmp, "wb") as sink:
                self.request("GET", ref.path, f"/v2/{ref.path}/blobs/{digest}", f"pulling {ref} ({digest[:19]})",
                             sink=sink)
            if file_digest(tmp) != digest:
                raise RegistryError(f"pulling {ref}: blob {digest} does not match its digest", hint="try again")
            store.put_file(tmp, digest)
        finally:
            tmp.unlink(missing_ok=True)

    # --- pushing

    def has_blob(self, repo: ImageRef, digest: str) -> bool:
        status, _, _ = self.request("HEAD", repo.path, f"/v2/{repo.path}/blobs/{digest}", f"pushing to {repo}",
                                    missing_ok=True)
        return status == 200

    def has_manifest(self, repo: ImageRef, digest: str) -> bool:
        status, _, _ = self.request("HEAD", repo.path, f"/v2/{repo.path}/manifests/{digest}", f"pushing to {repo}",
                                    headers={"Accept": ACCEPT}, missing_ok=True)
        return status == 200

    def tagged(self, repo: ImageRef, tag: str) -> str | None:
        """The digest ``tag`` names in ``repo`` (None when there is no such tag)."""
        status, headers, _ = self.request("HEAD", repo.path, f"/v2/{repo.path}/manifests/{tag}", f"reading {repo}:{tag}",
                                          headers={"Accept": ACCEPT}, missing_ok=True)
        return headers.get("Docker-Content-Digest") if status == 200 else None

    def upload_blob(self, repo: ImageRef, digest: str, store: BlobStore) -> None:
        what = f"pushing {digest[:19]} to {repo}"
        _, headers, _ = self.request("POST", repo.path, f"/v2/{repo.path}/blobs/uploads/", what)
        location = self._location(headers, what)
        size = store.size(digest)
        with open(store.path(digest), "rb") as source:
            if size > CHUNK:
                start = 0
                while start < size:
                    chunk = source.read(CHUNK)
                    _, headers, _ = self.request(
                        "PATCH", repo.path, self._absolute(location), what, data=chunk,
                        headers={"Content-Type": "application/octet-stream",
                                 "Content-Range": f"{start}-{start + len(chunk) - 1}"})
                    location, start = self._location(headers, what), start + len(chunk)
                    self.uploaded += len(chunk)
                body = b""
            else:
                body = source.read()
                self.uploaded += len(body)
        url = self._absolute(location)
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode({"digest": digest})
        self.request("PUT", repo.path, url, what, data=body, headers={"Content-Type": "application/octet-stream"})

    def _location(self, headers, what: str) -> str:
        """Where an upload goes on: the registry must say (``Location``), as the distribution API has it."""
        location = headers.get("Location")
        if not location:
            raise RegistryError(f"{what}: {self.host} did not say where the upload goes (no Location header)",
                                hint=f"check that {self.host} is an OCI registry and the name is right")
        return location

    def _absolute(self, location: str) -> str:
        return location if location.startswith("http") else self.base + location

    def put_manifest(self, repo: ImageRef, body: bytes, media_type: str, reference: str) -> None:
        self.request("PUT", repo.path, f"/v2/{repo.path}/manifests/{reference}", f"pushing {reference} to {repo}",
                     data=body, headers={"Content-Type": media_type})
        self.uploaded += len(body)

    def push(self, repo: ImageRef, manifest_digest: str, store: BlobStore) -> int:
        """Push the image (manifest or index) ``manifest_digest`` from ``store``; the bytes sent."""
        before = self.uploaded
        self._push(repo, manifest_digest, store)
        return self.uploaded - before

    def _push(self, repo: ImageRef, digest: str, store: BlobStore) -> None:
        if self.has_manifest(repo, digest):
            return
        body = store.read(digest)
        document = json.loads(body)
        if document.get("mediaType") == oci.INDEX:
            for entry in document["manifests"]:
                self._push(repo, entry["digest"], store)
        else:
            for blob in [document["config"]] + document["layers"]:
                if not self.has_blob(repo, blob["digest"]):
                    self.upload_blob(repo, blob["digest"], store)
        self.put_manifest(repo, body, document["mediaType"], digest)
