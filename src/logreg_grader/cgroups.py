"""Control groups that limit a whole submission: its kernel, every child and its tmpfs pages.

A resource limit (``setrlimit``) holds for one process; a control group holds for all of them
together. The grader makes one group per submission where the system lets it (as root, or in a
delegated cgroup v2 tree): memory (pages of every process and of the tmpfs it writes, swap
included where the kernel counts it), the number of processes, and at most ``cpus`` CPUs. The
launcher moves itself into the group before it becomes the sandbox, so everything the submission
starts is inside. ``remove`` kills what is left and deletes the group; ``remove_stale`` deletes
the empty groups that killed graders left behind.

cgroup v1 mounts one hierarchy per controller (``/sys/fs/cgroup/memory`` and so on), so a group
is one folder per controller; cgroup v2 has one folder with every controller.
"""

import os
import signal
import time
import uuid
from pathlib import Path

__all__ = ["Cgroup", "PREFIX", "remove_stale"]

ROOT = Path("/sys/fs/cgroup")
PREFIX = "logreg-grade-"
STALE_SECONDS = 3600  # an empty group this old belongs to no running grader
# v1: the controllers the grader limits (memory, pids, cpu) and the one that counts CPU time.
V1_CONTROLLERS = ("memory", "pids", "cpu", "cpuacct")


def _v2():
    """True where /sys/fs/cgroup is one unified (v2) hierarchy."""
    return (ROOT / "cgroup.controllers").exists()


def _bases():
    """Where the grader makes its groups: one folder per v1 controller, or the v2 root."""
    if _v2():
        return {"v2": ROOT}
    return {c: ROOT / c for c in V1_CONTROLLERS if (ROOT / c / "cgroup.procs").exists()}


def _write(path, value):
    try:
        path.write_text(str(value))
        return True
    except OSError:
        return False


class Cgroup:
    """One submission's control group; ``enforced`` names the limits it really applies."""

    def __init__(self, paths, enforced):
        self.paths, self.enforced = paths, enforced

    @classmethod
    def create(cls, memory_bytes, processes, cpus, prefix=PREFIX):
        """A new group with these limits, or None where the system gives the grader none."""
        name = prefix + uuid.uuid4().hex[:12]
        paths, made = {}, {}
        for controller, base in _bases().items():
            # Controllers mounted together (cpu,cpuacct behind two links) share one folder.
            real = base.resolve()
            if real not in made:
                try:
                    (base / name).mkdir()
                except OSError:
                    continue
                made[real] = base / name
            paths[controller] = made[real]
        group = cls(paths, set())
        if not paths:
            return None
        group._limit(memory_bytes, processes, cpus)
        if not group.enforced:
            group.remove()
            return None
        return group

    def _limit(self, memory_bytes, processes, cpus):
        period = 100_000
        quota = max(int(cpus * period), 1000)
        if "v2" in self.paths:
            path = self.paths["v2"]
            # A child can use only the controllers its parent hands down.
            _write(ROOT / "cgroup.subtree_control", "+memory +pids +cpu")
            if _write(path / "memory.max", memory_bytes):
                self.enforced.add("memory")
                _write(path / "memory.swap.max", 0)
            if _write(path / "pids.max", processes):
                self.enforced.add("processes")
            if _write(path / "cpu.max", f"{quota} {period}"):
                self.enforced.add("cpu")
            return
        memory, pids, cpu = (self.paths.get(c) for c in ("memory", "pids", "cpu"))
        if memory and _write(memory / "memory.limit_in_bytes", memory_bytes):
            self.enforced.add("memory")
            # Memory plus swap, where the kernel accounts swap: no escape into swap.
            if (memory / "memory.memsw.limit_in_bytes").exists():
                _write(memory / "memory.memsw.limit_in_bytes", memory_bytes)
        if pids and _write(pids / "pids.max", processes):
            self.enforced.add("processes")
        if cpu and _write(cpu / "cpu.cfs_period_us", period):
            if _write(cpu / "cpu.cfs_quota_us", quota):
                self.enforced.add("cpu")

    def procs_files(self):
        """The files the launcher writes its pid to, to join every controller's group."""
        return list(dict.fromkeys(str(p / "cgroup.procs") for p in self.paths.values()))

    def pids(self):
        found = set()
        for path in self.paths.values():
            try:
                found.update(int(p) for p in (path / "cgroup.procs").read_text().split())
            except (OSError, ValueError):
                continue
        return found

    def kill(self, spare=()):
        """SIGKILL every process in the group but ``spare`` until none is left (a fork race
        needs rounds)."""
        for _ in range(100):
            pids = self.pids() - set(spare)
            if not pids:
                return True
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            time.sleep(0.02)
        return not self.pids() - set(spare)

    def remove(self):
        """Kill what is left and delete the group's folders."""
        self.kill()
        for path in list(self.paths.values()):
            for _ in range(50):  # a killed task leaves the group a moment after SIGKILL
                try:
                    path.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)
        self.paths = {c: p for c, p in self.paths.items() if p.exists()}
        return not self.paths

    def oom_kills(self):
        """How many processes the group's memory limit has killed (0 where unknown)."""
        path = self.paths.get("v2") or self.paths.get("memory")
        name = "memory.events" if "v2" in self.paths else "memory.oom_control"
        try:
            lines = (path / name).read_text().splitlines()
        except (OSError, TypeError):
            return 0
        counts = dict(line.split()[:2] for line in lines if len(line.split()) >= 2)
        return int(counts.get("oom_kill", 0))

    def usage(self):
        """What the group has used so far: ``cpu_seconds`` and peak ``memory_bytes`` (if known)."""
        found = {}
        if "v2" in self.paths:
            path = self.paths["v2"]
            try:
                stat = dict(line.split() for line in (path / "cpu.stat").read_text().splitlines())
                found["cpu_seconds"] = int(stat["usage_usec"]) / 1e6
            except (OSError, KeyError, ValueError):
                pass
            try:
                found["memory_bytes"] = int((path / "memory.peak").read_text())
            except (OSError, ValueError):
                pass
            return found
        try:
            found["cpu_seconds"] = int((self.paths["cpuacct"] / "cpuacct.usage").read_text()) / 1e9
        except (KeyError, OSError, ValueError):
            pass
        try:
            peak = self.paths["memory"] / "memory.max_usage_in_bytes"
            found["memory_bytes"] = int(peak.read_text())
        except (KeyError, OSError, ValueError):
            pass
        return found


def remove_stale(age=STALE_SECONDS, prefix=PREFIX):
    """Delete the grader's empty groups older than ``age`` seconds (left by killed graders);
    returns how many were deleted. A group that still holds a process is left alone."""
    removed, now = 0, time.time()
    for base in _bases().values():
        try:
            candidates = [p for p in base.iterdir() if p.name.startswith(prefix) and p.is_dir()]
        except OSError:
            continue
        for path in candidates:
            try:
                if now - path.stat().st_mtime < age or (path / "cgroup.procs").read_text().strip():
                    continue
                path.rmdir()
                removed += 1
            except OSError:
                continue
    return removed
