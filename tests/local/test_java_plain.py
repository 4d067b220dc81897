"""genesys's plain Java loop (shims/JavaPlain.java) against its Runtime API: real JVMs running classes
compiled here with javac, on Lambda's class path (the classes, lib/*, the layer's java/lib/*)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from genesys_tasks.local import clients
from genesys_tasks.local.process import RuntimeProcess
from genesys_tasks.local.scratch import Scratch

pytestmark = pytest.mark.needs_tools("java", "javac")

HANDLERS = """\
package demo;

import java.io.*;
import java.util.*;

public class Handlers {
    /** Stands in for aws-lambda-java-core's Context: an interface the loop answers. */
    public interface Ctx { String getAwsRequestId(); String getFunctionName(); int getRemainingTimeInMillis();
                           int getMemoryLimitInMB(); }

    public static class Order { private String item; public int count;
        public void setItem(String item) { this.item = item; }
        public String getItem() { return item; } }

    public static class Receipt { private final String line; private final boolean big;
        Receipt(String line, boolean big) { this.line = line; this.big = big; }
        public String getLine() { return line; } public boolean isBig() { return big; } }

    public Map<String, Object> withContext(Map<String, Object> event, Ctx context) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("got", event);
        out.put("request", context.getAwsRequestId());
        out.put("function", context.getFunctionName());
        out.put("memory", context.getMemoryLimitInMB());
        out.put("timeLeft", context.getRemainingTimeInMillis() > 0);
        out.put("lib", Helper.shout("lib"));
        return out;
    }

    public Receipt order(Order order) { return new Receipt(order.count + " x " + order.getItem(), order.count > 9); }

    public void stream(InputStream in, OutputStream out, Ctx context) throws IOException {
        out.write(new StringBuilder(new String(in.readAllBytes())).reverse().toString().getBytes());
    }

    public String boom(String event) { throw new IllegalStateException("bad: " + event); }
}
"""
HELPER = "package demo;\n\npublic class Helper { public static String shout(String s) { return s.toUpperCase(); } }\n"


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Scratch:
    """task/ holds the compiled handlers, opt/java/lib/ a jar with the class they call (as a layer would)."""
    base = tmp_path_factory.mktemp("java-plain")
    sources = base / "src" / "demo"
    sources.mkdir(parents=True)
    (sources / "Handlers.java").write_text(HANDLERS)
    (sources / "Helper.java").write_text(HELPER)
    place = Scratch(base / "scratch")
    (place.opt / "java" / "lib").mkdir(parents=True)
    helper_classes = base / "helper"
    subprocess.run(["javac", "--release", "11", "-d", str(helper_classes), str(sources / "Helper.java")], check=True)
    subprocess.run(["jar", "cf", str(place.opt / "java" / "lib" / "helper.jar"), "-C", str(helper_classes), "."],
                   check=True)
    subprocess.run(["javac", "--release", "11", "-cp", str(helper_classes), "-d", str(place.task),
                    str(sources / "Handlers.java")], check=True)
    return place


def _run(scratch: Scratch, handler: str, event: bytes):
    spec = SimpleNamespace(name="javafn", handler=handler, runtime=SimpleNamespace(version="17"))
    launch = clients._java(spec, scratch, "plain")
    env = {"PATH": "/usr/bin:/bin", "AWS_LAMBDA_FUNCTION_NAME": "javafn", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
           "_HANDLER": handler}
    process = RuntimeProcess(launch.argv, env=env, cwd=scratch.task, memory_mb=256, timeout_s=30)
    try:
        return process.invoke(event)
    finally:
        process.close()


def test_a_map_handler_gets_the_event_and_a_context_and_reaches_the_layers_jar(scratch):
    result = _run(scratch, "demo.Handlers::withContext", b'{"name": "ada", "n": [1, 2.5, true, null]}')
    assert result.kind == "ok", result.payload
    out = json.loads(result.payload)
    assert out["got"] == {"name": "ada", "n": [1, 2.5, True, None]}
    assert out["request"] == result.request_id and out["function"] == "javafn" and out["memory"] == 256
    assert out["timeLeft"] is True and out["lib"] == "LIB"


@pytest.mark.slow_builds  # a JVM start each: beyond the default run's budget
def test_a_class_parameter_is_filled_from_its_setters_and_fields_and_a_result_read_from_its_getters(scratch):
    result = _run(scratch, "demo.Handlers::order", b'{"item": "tea", "count": 12, "unknown": 1}')
    assert result.kind == "ok", result.payload
    assert json.loads(result.payload) == {"big": True, "line": "12 x tea"}


@pytest.mark.slow_builds  # a JVM start each: beyond the default run's budget
def test_a_stream_handler_reads_the_raw_event_and_writes_the_raw_response(scratch):
    result = _run(scratch, "demo.Handlers::stream", b'"abc"')
    assert result.kind == "ok" and result.payload == b'"cba"'


@pytest.mark.slow_builds  # a JVM start each: beyond the default run's budget
def test_a_throwing_handler_answers_lambdas_error_shape_and_a_missing_class_fails_the_init(scratch):
    thrown = _run(scratch, "demo.Handlers::boom", b'"x"')
    assert thrown.kind == "error"
    error = json.loads(thrown.payload)
    assert error["errorType"] == "java.lang.IllegalStateException" and error["errorMessage"] == "bad: x"
    assert any("demo.Handlers.boom" in frame for frame in error["stackTrace"])
    missing = _run(scratch, "demo.Nowhere::handleRequest", b"{}")
    assert missing.kind != "ok" and b"Runtime.ClassNotFound" in missing.payload


def test_the_loop_is_compiled_once_into_the_client_folder(scratch):
    spec = SimpleNamespace(name="javafn", handler="demo.Handlers::order", runtime=SimpleNamespace(version="17"))
    first = clients._java(spec, scratch, "plain")
    folder = Path(first.argv[first.argv.index("-cp") + 1].split(":")[-1])
    compiled = (folder / "JavaPlain.class").stat().st_mtime_ns
    assert clients._java(spec, scratch, "plain").argv == first.argv
    assert (folder / "JavaPlain.class").stat().st_mtime_ns == compiled
