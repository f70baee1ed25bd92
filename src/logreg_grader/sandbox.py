"""Where a submission's kernel runs: its own folder, and a sandbox where the system offers one.

With bubblewrap (``bwrap``, Debian package ``bubblewrap``) the kernel gets a private view of the
file system: the system and the Python environment read-only, its own temporary folder
writable, and nothing else (no instructor folder, no other submission, no home directory). It
has no network, its own process tree (``/proc`` shows no other process, and killing the sandbox
kills every process in it), and a fresh HOME and IPYTHONDIR. Without bubblewrap the kernel still
gets its own folder, HOME and IPYTHONDIR and the limits below, and the grader warns that a
submission can then read the grader's files.

Limits: CPU seconds, address space and file size as resource limits; the number of processes
through a ``pids`` cgroup where the grader may create one (as root), else as a resource limit
(which the kernel ignores for root). ``python -m logreg_grader._launch`` is the small launcher
that applies them and then executes the sandboxed command (``_launch``).
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import uuid
import weakref
from functools import lru_cache
from pathlib import Path

__all__ = ["Limits", "Sandbox", "kill_all", "sandbox_mode"]

# Every sandbox not yet cleaned up, so that an interrupted grader (Ctrl-C) can end them all and
# leave no student notebook behind in the temporary folder.
_LIVE = weakref.WeakSet()
_LIVE_LOCK = threading.Lock()


def kill_all():
    """Kill and remove every sandbox of this process that is still running."""
    with _LIVE_LOCK:
        live = list(_LIVE)
    for sandbox in live:
        sandbox.cleanup()


class Limits:
    def __init__(self, cpu_seconds=600, memory_bytes=4 << 30, file_bytes=200 << 20, processes=64):
        self.cpu_seconds, self.memory_bytes = int(cpu_seconds), int(memory_bytes)
        self.file_bytes, self.processes = int(file_bytes), int(processes)


@lru_cache(maxsize=1)
def sandbox_mode():
    """``"bwrap"`` if bubblewrap works here, else ``"none"``, with the reason."""
    if shutil.which("bwrap") is None:
        return "none", "bubblewrap (bwrap) is not installed; on Debian: apt-get install bubblewrap"
    probe = subprocess.run(
        ["bwrap", "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if probe.returncode != 0:
        return "none", f"bubblewrap cannot create a sandbox here: {probe.stderr.strip()[:200]}"
    return "bwrap", "bubblewrap: private files, no network, own process tree"


def _pids_cgroup(limit):
    """A new ``pids`` cgroup limited to ``limit`` tasks, or None where none can be made."""
    for base in ("/sys/fs/cgroup/pids", "/sys/fs/cgroup"):
        path = Path(base) / f"logreg-grade-{uuid.uuid4().hex[:12]}"
        try:
            path.mkdir()
        except OSError:
            continue
        try:
            (path / "pids.max").write_text(str(limit))
            return path
        except OSError:
            path.rmdir()
    return None


def _package_dirs():
    """The folders of the packages the kernel imports: the library, the book's helpers (a
    notebook imports ``logreg`` and ``logreg_book.symbolic``) and the grader (its workers)."""
    import logreg
    import logreg_book
    import logreg_grader

    return [Path(m.__file__).resolve().parent for m in (logreg, logreg_book, logreg_grader)]


def _python_dirs():
    """Read-only binds that the kernel needs: the interpreter, the environment and the packages."""
    dirs = {sys.base_prefix, sys.prefix, *(str(d) for d in _package_dirs())}
    return sorted(d for d in dirs if d and Path(d).exists())


def _python_path():
    """The kernel's PYTHONPATH: the folders that hold the grader's own copies of the packages.
    The kernel then imports the code the grader runs, wherever an editable install points."""
    return os.pathsep.join(dict.fromkeys(str(d.parent) for d in _package_dirs()))


class Sandbox:
    """A temporary folder and the command that starts a kernel inside the sandbox."""

    def __init__(self, limits=None, mode=None, label="submission"):
        self.limits = limits or Limits()
        self.mode = mode or sandbox_mode()[0]
        self.root = Path(tempfile.mkdtemp(prefix="logreg-grade-"))
        self.home, self.work, self.out = (self.root / d for d in ("home", "work", "out"))
        for d in (self.home, self.work, self.out):
            d.mkdir(mode=0o700)
        self.label = label
        self.cgroup = _pids_cgroup(self.limits.processes) if os.geteuid() == 0 else None
        self.process = None
        with _LIVE_LOCK:
            _LIVE.add(self)

    def environment(self):
        return {
            "HOME": str(self.home),
            "IPYTHONDIR": str(self.home / ".ipython"),
            "MPLCONFIGDIR": str(self.home / ".matplotlib"),
            "JUPYTER_RUNTIME_DIR": str(self.home / ".jupyter-runtime"),
            "MPLBACKEND": "Agg",
            "PATH": f"{sys.prefix}/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "PYTHONNOUSERSITE": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONPATH": _python_path(),
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "TMPDIR": "/tmp" if self.mode == "bwrap" else str(self.work),
        }

    def command(self, argv):
        """The launcher, then bubblewrap (if available), then ``argv``."""
        limits = {
            "cpu": self.limits.cpu_seconds,
            "as": self.limits.memory_bytes,
            "fsize": self.limits.file_bytes,
            "nproc": None if self.cgroup else self.limits.processes,
            "cgroup": str(self.cgroup) if self.cgroup else None,
        }
        launcher = [sys.executable, "-m", "logreg_grader._launch", json.dumps(limits), "--"]
        if self.mode != "bwrap":
            return launcher + list(argv)
        wrap = ["bwrap"]
        for d in ["/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin", "/etc"]:
            if Path(d).exists():
                wrap += ["--ro-bind", d, d]
        # A private /tmp first: the binds below may lie under /tmp (a checkout there) and must
        # appear on top of it, not be hidden by it.
        wrap += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
        for d in _python_dirs():
            wrap += ["--ro-bind", d, d]
        wrap += ["--bind", str(self.root), str(self.root), "--chdir", str(self.work)]
        wrap += ["--unshare-all", "--die-with-parent", "--new-session", "--clearenv"]
        wrap += ["--uid", "65534", "--gid", "65534"]
        for key, value in self.environment().items():
            wrap += ["--setenv", key, value]
        return launcher + wrap + list(argv)

    def kill(self):
        """Kill everything the submission started."""
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self.cgroup is not None:
            for _ in range(50):
                try:
                    pids = (self.cgroup / "cgroup.procs").read_text().split()
                except OSError:
                    break
                if not pids:
                    break
                for pid in pids:
                    try:
                        os.kill(int(pid), signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass

    def cleanup(self):
        self.kill()
        if self.cgroup is not None:
            try:
                self.cgroup.rmdir()
            except OSError:
                pass
        shutil.rmtree(self.root, ignore_errors=True)
        with _LIVE_LOCK:
            _LIVE.discard(self)
