"""Lambda's CPU share and memory limit for local runs (``local/quota.py``): the arithmetic, where
groups go on a cgroup v1 or v2 host (read from a directory laid out as the kernel lays it out),
what a group's files are given, and ``genesys invoke --memory`` on this host (skipped, saying
why, where the host gives no quotas)."""

from __future__ import annotations

import pytest

from genesys_tasks.local import quota


def test_the_cpu_share_is_memory_over_1769_mb_up_to_6_vcpus():
    assert quota.vcpus(1769) == 1.0 and quota.vcpus(10240) == 6.0
    assert quota.quota_us(128) == round(128 / 1769 * 100_000) == 7236
    assert quota.quota_us(3538) == 200_000 and quota.quota_us(10240) == 600_000


def _v1(tmp_path):
    for controller, files in (("cpu", ("cpu.cfs_quota_us", "cpu.cfs_period_us")),
                              ("memory", ("memory.limit_in_bytes",))):
        (tmp_path / controller / "mine").mkdir(parents=True)
        for name in files:
            (tmp_path / controller / name).write_text("-1\n")
    return "5:memory:/mine\n2:cpu,cpuacct:/\n0::/\n"


def test_on_cgroup_v1_groups_go_under_genesyss_own_group_per_controller(tmp_path):
    host, why = quota.find_host(tmp_path, _v1(tmp_path))
    assert why == "" and host.version == 1
    assert host.parents == {"cpu": tmp_path / "cpu", "memory": tmp_path / "memory" / "mine"}


def test_on_cgroup_v2_the_cpu_and_memory_controllers_are_enabled_below_genesyss_group(tmp_path):
    (tmp_path / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    (tmp_path / "user" / "app").mkdir(parents=True)
    (tmp_path / "user" / "app" / "cgroup.subtree_control").write_text("\n")
    host, why = quota.find_host(tmp_path, "0::/user/app\n")
    assert why == "" and host.version == 2 and host.parents["cpu"] == tmp_path / "user" / "app"
    assert (tmp_path / "user" / "app" / "cgroup.subtree_control").read_text() == "+cpu +memory"


def test_a_host_without_the_controllers_says_why(tmp_path):
    (tmp_path / "cgroup.controllers").write_text("pids io\n")
    host, why = quota.find_host(tmp_path, "0::/\n")
    assert host is None and "without the cpu and memory controllers" in why
    host, why = quota.find_host(tmp_path / "nothing", "0::/\n")
    assert host is None and "no cgroup" in why


def test_a_v1_group_gets_the_memory_limit_at_once_and_the_cpu_quota_when_throttled(tmp_path):
    host, _ = quota.find_host(tmp_path, _v1(tmp_path))
    group = host.make(512)
    memory, cpu = group.dirs["memory"], group.dirs["cpu"]
    assert (memory / "memory.limit_in_bytes").read_text() == str(512 * 1024 * 1024)
    assert not (cpu / "cpu.cfs_quota_us").exists()  # init runs unthrottled
    group.throttle()
    assert (cpu / "cpu.cfs_quota_us").read_text() == str(round(512 / 1769 * 100_000))
    assert (cpu / "cpu.cfs_period_us").read_text() == "100000"
    argv = group.wrap(["python3", "-m", "x"])
    assert argv[:2] == ["/bin/sh", "-c"] and argv[-4:] == ["--", "python3", "-m", "x"]
    assert str(cpu / "cgroup.procs") in argv and str(memory / "cgroup.procs") in argv
    (memory / "memory.oom_control").write_text("oom_kill_disable 0\nunder_oom 0\noom_kill 1\n")
    assert group.out_of_memory()


def test_a_v2_group_writes_cpu_max_and_memory_max(tmp_path):
    (tmp_path / "cgroup.controllers").write_text("cpu memory\n")
    (tmp_path / "cgroup.subtree_control").write_text("cpu memory\n")
    host, _ = quota.find_host(tmp_path, "0::/\n")
    group = host.make(128)
    group.throttle()
    folder = group.dirs["cpu"]
    assert (folder / "cpu.max").read_text() == "7236 100000"
    assert (folder / "memory.max").read_text() == str(128 * 1024 * 1024)
    assert (folder / "memory.swap.max").read_text() == "0"
    (folder / "memory.events").write_text("low 0\nhigh 0\nmax 3\noom 1\noom_kill 0\n")
    assert not group.out_of_memory()


HOG = """\
def handler(event, context):
    hog = bytearray(event["mb"] * 1024 * 1024)
    hog[::4096] = b"x" * len(hog[::4096])
    return {"held": len(hog)}
"""


def test_invoke_memory_runs_as_that_size_and_past_it_is_runtime_out_of_memory(run_genesys, tmp_path, quotas):
    (tmp_path / "lambda_hog.toml").write_text('[metadata]\nname = "hog"\nruntime = "python3.12"\n'
                                              'handler = "app.handler"\n[function]\ntimeout_seconds = 60\n')
    (tmp_path / "app.py").write_text(HOG)
    killed = run_genesys("invoke", "lambda_hog.toml", "--client", "plain", "--memory", "128", "--event",
                         '{"mb": 300}', cwd=tmp_path)
    assert killed.code == 1 and '"errorType": "Runtime.OutOfMemory"' in killed.stdout, killed.output
    assert "Memory Size: 128 MB" in killed.stderr
    fits = run_genesys("invoke", "lambda_hog.toml", "--client", "plain", "--memory", "512", "--event",
                       '{"mb": 300}', cwd=tmp_path)
    assert fits.code == 0 and "Memory Size: 512 MB" in fits.stderr, fits.output
    plain = run_genesys("invoke", "lambda_hog.toml", "--client", "plain", "--event", '{"mb": 300}', cwd=tmp_path)
    assert plain.code == 0 and "Memory Size: 128 MB" in plain.stderr, plain.output  # no --memory: no limit
    bad = run_genesys("invoke", "lambda_hog.toml", "--memory", "64", cwd=tmp_path)
    assert bad.code == 2 and "128 to 10240" in bad.stderr


def test_parallel_first_runs_probe_the_host_once_and_say_why_once(monkeypatch):
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    looked = []

    def slow_find_host():  # the sandbox's first Invokes arrive together while the host is looked at
        looked.append(1)
        time.sleep(0.05)
        return None, "no cgroup here"

    monkeypatch.setattr(quota, "_HOST", {})
    monkeypatch.setattr(quota, "find_host", slow_find_host)
    monkeypatch.delenv("GENESYS_NO_QUOTAS", raising=False)
    said = []
    start = threading.Barrier(6)

    def first_run(_):
        start.wait()
        quota.tell(said.append)

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(first_run, range(6)))
    assert len(looked) == 1
    assert said == ["no CPU share or memory limit for local runs: no cgroup here; the durations are this machine's"]
