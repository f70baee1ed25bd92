"""Limits that hold for a whole submission, measured in a real sandboxed kernel.

Each test starts a kernel the way the grader does (``Sandbox`` + ``SandboxedKernel``), runs
hostile code the test writes, and measures from outside: the control group's own counters of
memory and CPU time, what the code managed to hold or write, and what is left afterwards.
The grader runs as root on the test machines, so the sandbox runs as the host's user nobody and
the cgroup v1 (or v2) controllers are there to use.
"""

import json
import os
import pwd
import subprocess
import sys
import time
from pathlib import Path

import _homework
import pytest
from _homework import all_solutions, grade_cli, submission

from logreg_grader import cgroups, sandbox
from logreg_grader.cgroups import Cgroup, remove_stale
from logreg_grader.kernel import SandboxedKernel
from logreg_grader.sandbox import Limits, Sandbox, _python_dirs

pytestmark = pytest.mark.kernel

MB = 1 << 20


class _Kernel:
    def __init__(self, limits):
        self.sandbox = Sandbox(limits)
        self.kernel = SandboxedKernel(self.sandbox, sys.executable)
        self.kernel.start()

    def run(self, code, timeout=120):
        """Run ``code``; return (result, the JSON the code printed on its last line)."""
        result = self.kernel.run(code, timeout)
        lines = result.output.strip().splitlines()
        return result, (json.loads(lines[-1]) if result.status == "ok" and lines else None)

    def close(self):
        self.kernel.stop()
        self.sandbox.cleanup()


@pytest.fixture
def kernel(request):
    started = _Kernel(getattr(request, "param", None) or Limits(memory_bytes=1024 * MB))
    yield started
    started.close()


CHILDREN = """
import json, subprocess, sys, time
child = '''
import sys, time
block = bytearray(b"\\\\x01") * (400 << 20)   # every page written, so every page resident
print("held", flush=True)
time.sleep(60)
'''
kids = [subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True)
        for _ in range(6)]
held, deadline = 0, time.monotonic() + 40
for kid in kids:
    line = kid.stdout.readline() if time.monotonic() < deadline else ""
    held += line.strip() == "held"
time.sleep(1)  # whatever the memory limit kills dies now
alive = sum(kid.poll() is None for kid in kids)
holding = held if alive == len(kids) else min(held, alive)
for kid in kids:
    kid.kill()
    kid.wait()
print(json.dumps({"held": held, "alive": alive, "holding": holding,
                  "codes": [kid.returncode for kid in kids]}))
"""


def test_six_children_cannot_hold_more_than_the_whole_memory_limit(kernel):
    limit = kernel.sandbox.limits.memory_bytes
    assert "memory" in kernel.sandbox.enforced(), "a control group should limit the memory"
    result, report = kernel.run(CHILDREN)
    peak = kernel.sandbox.cgroup.usage()["memory_bytes"]
    assert kernel.sandbox.memory_kills() >= 1  # what the grader can tell the instructor
    # The children hold 2.4 GB together only where the limit is per process.
    assert peak <= limit, f"the group peaked at {peak / MB:.0f} MB over {limit / MB:.0f} MB"
    if report is not None:  # the kernel survived; children died or failed to allocate
        assert report["holding"] * 400 * MB < limit, report
        assert report["alive"] < 6 or report["held"] < 6, report
    else:
        assert result.status in ("dead", "error"), result


FILL = """
import errno, json, os
written = {}
for folder in ("/tmp", "/dev/shm", os.environ["HOME"], os.getcwd()):
    total, error, chunk = 0, "", b"\\x01" * (16 << 20)
    for i in range(2048 // 64):  # up to 2 GB, in files of 64 MB
        path = os.path.join(folder, f"fill{i}")
        try:
            with open(path, "wb") as f:
                for _ in range(4):
                    f.write(chunk)
                    total += len(chunk)
        except OSError as exc:
            error = errno.errorcode.get(exc.errno, str(exc.errno))
            break
    for name in os.listdir(folder):
        if name.startswith("fill"):
            os.remove(os.path.join(folder, name))
    written[folder] = [total, error]
print(json.dumps(written))
"""


@pytest.mark.parametrize(
    "kernel", [Limits(memory_bytes=1024 * MB, file_bytes=4096 * MB)], indirect=True
)
def test_writing_2_gb_stops_at_the_size_of_each_tmpfs(kernel):
    size = kernel.sandbox.limits.tmpfs_bytes
    assert size == 256 * MB
    result, written = kernel.run(FILL)
    assert written is not None, result
    assert len(written) == 4
    for folder, (total, error) in written.items():
        # tmpfs counts its own blocks: a file can stop a few pages short of the size.
        assert error == "ENOSPC", (folder, total, error)
        assert size - 64 * MB <= total <= size, (folder, total / MB)
    assert kernel.kernel.alive() and kernel.sandbox.memory_kills() == 0


HOG = """
import json, multiprocessing, resource, time
def spin(until):
    while time.monotonic() < until:
        pass
until = time.monotonic() + 10
hogs = [multiprocessing.Process(target=spin, args=(until,)) for _ in range(4)]
for hog in hogs:
    hog.start()
for hog in hogs:
    hog.join()
used = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"exit": [hog.exitcode for hog in hogs], "cpu": used.ru_utime + used.ru_stime}))
"""


@pytest.mark.parametrize(
    "kernel",
    # The grader's share (one CPU), and a quarter: on a busy test machine the hogs may not get a
    # whole CPU anyway, but they get more than a quarter of one.
    [Limits(memory_bytes=1024 * MB), Limits(memory_bytes=1024 * MB, cpus=0.25)],
    indirect=True,
    ids=["one-cpu", "quarter-cpu"],
)
def test_four_busy_processes_get_at_most_their_cpu_share(kernel):
    assert "cpu" in kernel.sandbox.enforced()
    cpus = kernel.sandbox.limits.cpus
    _outweigh_the_machine(kernel.sandbox.cgroup)
    before, start = kernel.sandbox.cgroup.usage()["cpu_seconds"], time.monotonic()
    result, report = kernel.run(HOG)
    after, wall = kernel.sandbox.cgroup.usage()["cpu_seconds"], time.monotonic() - start
    assert report is not None and report["exit"] == [0, 0, 0, 0], result
    # The group's own count of CPU time holds the hogs' (as they counted it themselves), and
    # it never passed the share (+20 %) over the cell's wall time. Without a CPU limit four
    # hogs take every idle CPU (2 on the test machine), however long the cell lasts.
    used = after - before
    assert used >= 0.9 * report["cpu"], (used, report)
    assert used <= 1.2 * cpus * wall, f"{used:.1f} CPU-s in {wall:.1f} s for {cpus} CPU"


def _outweigh_the_machine(cgroup):
    """Give the group the scheduler's largest weight. A new group weighs like one process, so
    on a busy machine four hogs get less than a CPU anyway; with this weight they would take
    every CPU, and only the quota holds them back."""
    paths = cgroup.paths
    if "v2" in paths:
        (paths["v2"] / "cpu.weight").write_text("10000")
    else:
        (paths["cpu"] / "cpu.shares").write_text("262144")


def test_the_kernel_is_an_unprivileged_user_who_reaches_no_grader_file(kernel):
    root = kernel.sandbox.root
    code = f"""
import json, os
ROOT_HOME = {pwd.getpwuid(0).pw_dir!r}
def attempt(action):
    try:
        action()
        return "done"
    except OSError as exc:
        return type(exc).__name__
print(json.dumps({{
    "uid": [os.getuid(), os.geteuid(), os.getgid()], "groups": os.getgroups(),
    "shadow": attempt(lambda: open("/etc/shadow").read()),
    "root_home": os.listdir(ROOT_HOME) if os.path.isdir(ROOT_HOME) else [],
    "grader_files": sorted(os.listdir({str(root)!r})),
    "write_sandbox_folder": attempt(lambda: open({str(root / "planted")!r}, "w").close()),
    "write_etc": attempt(lambda: open("/etc/planted", "w").close()),
}}))
"""
    result, seen = kernel.run(code)
    assert seen is not None, result
    assert seen["shadow"] == "PermissionError"
    # Root's home holds at most the folders above a bound interpreter (e.g. a pyenv there).
    home = Path(pwd.getpwuid(0).pw_dir)
    bound = {
        Path(d).relative_to(home).parts[0] for d in _python_dirs() if Path(d).is_relative_to(home)
    }
    assert set(seen["root_home"]) <= bound, seen["root_home"]
    if os.geteuid() == 0:  # a root grader's sandbox is the host's nobody, not a mapped root
        assert seen["uid"] == [65534, 65534, 65534] and seen["groups"] == [], seen
    # kernel.err and the other grader files are not even visible.
    assert "kernel.err" not in seen["grader_files"]
    assert set(seen["grader_files"]) <= {"home", "work", "sockets", "connection.json"}
    assert seen["write_sandbox_folder"] != "done" and seen["write_etc"] != "done"
    assert not (root / "planted").exists()


def test_the_kernel_cannot_swap_its_sockets_once_the_grader_is_connected(kernel):
    # ZeroMQ reconnects by path (and the grader re-subscribes to the output after a dropped
    # message): a socket replaced by a link would lead the grader, as root, to a host socket.
    sockets = kernel.sandbox.root / "sockets"
    code = f"""
import json, os
folder = {str(sockets)!r}
tried = {{}}
for name in sorted(os.listdir(folder)):
    path = os.path.join(folder, name)
    try:
        os.rename(path, path + ".moved")
        tried[name] = "moved"
    except OSError as exc:
        tried[name] = type(exc).__name__
try:
    os.symlink("/run", os.path.join(folder, "planted"))
    tried["planted"] = "made"
except OSError as exc:
    tried["planted"] = type(exc).__name__
print(json.dumps(tried))
"""
    result, tried = kernel.run(code)
    assert tried is not None, result
    assert len(tried) >= 6, tried  # five sockets of the kernel, and the planted link
    if os.geteuid() == 0:
        assert set(tried.values()) == {"PermissionError"}, tried
    # Whatever the kernel could do, the grader still talks to the kernel it started.
    again, value = kernel.run("import json; print(json.dumps(6 * 7))")
    assert value == 42, again


def test_a_kernel_starts_under_a_temporary_folder_too_deep_for_a_socket_path(tmp_path, monkeypatch):
    # A Unix socket's path holds 107 bytes; a deep TMPDIR (a test folder, a home on a network
    # share) once made every kernel fail with "File name too long".
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    monkeypatch.setattr(sandbox.tempfile, "tempdir", str(deep))
    started = _Kernel(Limits(memory_bytes=1024 * MB))
    try:
        assert started.sandbox.root.is_relative_to(deep)
        assert len(str(started.sandbox.sockets)) <= sandbox.SOCKET_FOLDER_CHARS
        result, value = started.run("import json; print(json.dumps(6 * 7))")
        assert value == 42, result
        short = started.sandbox.sockets.parent
    finally:
        started.close()
    assert not short.exists() and not started.sandbox.root.exists()


@pytest.mark.parametrize("kernel", [Limits(memory_bytes=512 * MB)], indirect=True)
def test_a_kernel_starts_and_computes_at_512_mb(kernel):
    result, seen = kernel.run(
        "import json, numpy as np, logreg\n"
        "x = np.ones((500, 500)) @ np.ones((500, 500))\n"
        "print(json.dumps(float(x[0, 0])))"
    )
    assert seen == 500.0, result


def test_the_control_groups_are_gone_after_cleanup_even_with_processes_left():
    started = _Kernel(Limits(memory_bytes=1024 * MB))
    paths = list(started.sandbox.cgroup.paths.values())
    assert paths and all(p.is_dir() for p in paths)
    result, _ = started.run(
        "import subprocess\n"
        "kids = [subprocess.Popen(['sleep', '600'], start_new_session=True) for _ in range(3)]"
    )
    assert result.status == "ok", result
    pids = started.sandbox.cgroup.pids()
    assert len(pids) >= 4  # the kernel (and bubblewrap) and three sleepers
    started.close()
    assert not any(p.exists() for p in paths), paths
    # Nothing runs on; a killed process may stay a zombie until the machine's init reaps it.
    assert not [pid for pid in pids if _state(pid) not in ("", "Z")], pids
    assert not started.sandbox.root.exists()


def _state(pid):
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return ""
    return status.split("State:")[1].split()[0]


def test_stale_empty_groups_are_removed_and_live_ones_kept():
    prefix = f"logreg-grade-test-{os.getpid()}-"
    stale = Cgroup.create(64 * MB, 8, 1.0, prefix=prefix)
    live = Cgroup.create(64 * MB, 8, 1.0, prefix=prefix)
    assert stale is not None and live is not None
    sleeper = subprocess.Popen(["sleep", "600"])
    try:
        for procs in live.procs_files():
            Path(procs).write_text(str(sleeper.pid))
        assert remove_stale(age=3600, prefix=prefix) == 0  # both are new
        assert remove_stale(age=0, prefix=prefix) == len(stale.paths)
        assert not any(p.exists() for p in stale.paths.values())
        assert all(p.exists() for p in live.paths.values())
    finally:
        sleeper.kill()
        sleeper.wait()
        assert live.remove() and stale.remove()


def test_the_grader_grades_at_memory_512_reference_included(tmp_path, monkeypatch):
    """Review, stumble 8: at --memory 512 no kernel started, not even the reference's."""
    monkeypatch.setattr(_homework, "REFERENCE_CACHE", None)  # the reference runs at 512 too
    path = submission(tmp_path, "s.ipynb", "hw3_sympy", all_solutions("hw3_sympy"))
    done, results = grade_cli([path], "hw3_sympy", tmp_path, "--memory", "512")
    assert results["s.ipynb"]["score"] == 8.0, done.stdout + done.stderr
    assert "WARNING: no control group" not in done.stderr


def test_without_a_control_group_one_warning_names_what_is_not_enforced(monkeypatch, capsys):
    monkeypatch.setattr(sandbox, "_ONCE", {"stale": True, "warned": False})
    monkeypatch.setattr(sandbox.Cgroup, "create", classmethod(lambda cls, *a, **k: None))
    boxes = [Sandbox(Limits(memory_bytes=512 * MB), mode="none") for _ in range(2)]
    for box in boxes:
        assert box.enforced() == set()
        assert box._launch_limits()["as"] == 512 * MB  # the per-process limit, as announced
        box.cleanup()
    err = capsys.readouterr().err
    assert err.count("WARNING") == 1, err
    for limit in ("memory is limited per process (512 MB", "number of processes", "every CPU"):
        assert limit in err, err


def test_cgroup_v2_limits_are_written_where_the_hierarchy_is_unified(tmp_path, monkeypatch):
    """This machine has cgroup v1; a folder that looks like a v2 root shows what v2 gets."""
    (tmp_path / "cgroup.controllers").write_text("cpu memory pids")
    monkeypatch.setattr(cgroups, "ROOT", tmp_path)
    group = Cgroup.create(1024 * MB, 64, 1.0)
    path = group.paths["v2"]
    assert path.parent == tmp_path and path.name.startswith(cgroups.PREFIX)
    assert group.enforced == {"memory", "processes", "cpu"}
    assert (path / "memory.max").read_text() == str(1024 * MB)
    assert (path / "memory.swap.max").read_text() == "0"
    assert (path / "pids.max").read_text() == "64"
    assert (path / "cpu.max").read_text() == "100000 100000"
    assert (tmp_path / "cgroup.subtree_control").read_text() == "+memory +pids +cpu"
    assert group.procs_files() == [str(path / "cgroup.procs")]


def test_cgroup_v1_controllers_mounted_together_share_one_folder(tmp_path, monkeypatch):
    """Many systems mount cpu and cpuacct as one hierarchy, behind two links."""
    for folder in ("memory", "pids", "cpu,cpuacct"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "cgroup.procs").write_text("")
    for link in ("cpu", "cpuacct"):
        (tmp_path / link).symlink_to("cpu,cpuacct")
    monkeypatch.setattr(cgroups, "ROOT", tmp_path)
    group = Cgroup.create(1024 * MB, 64, 0.5)
    assert group.paths["cpu"] == group.paths["cpuacct"]
    assert group.enforced == {"memory", "processes", "cpu"}
    assert len(group.procs_files()) == 3
    assert (group.paths["cpu"] / "cpu.cfs_quota_us").read_text() == "50000"
