"""Where a submission's kernel runs: its own folder, and a sandbox where the system offers one.

With bubblewrap (``bwrap``, Debian package ``bubblewrap``) the kernel gets a private view of the
file system: the system and the Python environment read-only; ``/tmp``, ``/dev/shm``, its HOME
and its working folder as size-limited tmpfs (memory, so counted in the memory limit); the
submission's notebook read-only in the working folder; and one host folder it may write, the one
that holds its sockets to the grader. No instructor folder, no other submission, no grader file.
It has no network and its own process tree (``/proc`` shows no other process, and killing the
sandbox kills every process in it). A grader running as root runs the sandbox as the host's
unprivileged user ``nobody`` (uid 65534), so files only root may read stay unreadable inside.

Limits for the whole submission (the kernel, every child and the tmpfs pages they write) come
from a control group where the grader may make one (``cgroups``): memory, the number of
processes and at most one CPU. Without one, the memory limit holds per process (address space)
and the grader warns once, naming what is not enforced. Always: CPU seconds per process, file
size and no core files as resource limits. ``_launch.py`` (run as a file) is the small
launcher that applies them, joins the control group, and then becomes the sandbox (``_launch``).
Without bubblewrap the kernel still gets its own folder, HOME and IPYTHONDIR and the limits,
and the grader warns that a submission can then read the grader's files.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import weakref
from functools import lru_cache
from pathlib import Path

from .cgroups import Cgroup, remove_stale

__all__ = ["Limits", "Sandbox", "kill_all", "sandbox_mode"]

NOBODY = 65534  # the unprivileged host user (and group) a root grader's sandbox runs as
SYSTEM_DIRS = ["/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin", "/etc"]
# With a control group bounding the whole submission, one process may map this much address
# space: numpy and OpenBLAS reserve far more than they use, and a tight per-process limit
# stopped every kernel at --memory 512 (review, stumble 8). A 20 GB allocation still fails.
GENEROUS_ADDRESS_SPACE = 4 << 30
# A Unix socket's path holds at most 107 bytes, and the kernel's sockets are named
# "<folder>/kernel-<port>". A sockets folder under a long TMPDIR (a deep checkout's test folder)
# moves to a short one of its own in /tmp.
SOCKET_FOLDER_CHARS = 90

# Every sandbox not yet cleaned up, so that an interrupted grader (Ctrl-C) can end them all and
# leave no student notebook behind in the temporary folder.
_LIVE = weakref.WeakSet()
_LIVE_LOCK = threading.Lock()
_ONCE = {"stale": False, "warned": False}


def kill_all():
    """Kill and remove every sandbox of this process that is still running."""
    with _LIVE_LOCK:
        live = list(_LIVE)
    for sandbox in live:
        sandbox.cleanup()


class Limits:
    """What one submission may use. ``memory_bytes`` holds for the whole submission where a
    control group enforces it, else per process; ``tmpfs_bytes`` is the size of each of its four
    writable file systems (default: a quarter of the memory, so together they fit in it)."""

    def __init__(
        self,
        cpu_seconds=600,
        memory_bytes=4 << 30,
        file_bytes=200 << 20,
        processes=64,
        cpus=1.0,
        tmpfs_bytes=None,
    ):
        self.cpu_seconds, self.memory_bytes = int(cpu_seconds), int(memory_bytes)
        self.file_bytes, self.processes, self.cpus = int(file_bytes), int(processes), float(cpus)
        self.tmpfs_bytes = int(tmpfs_bytes or max(self.memory_bytes // 4, 16 << 20))


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


def _warn_once(limits, cgroup):
    """One warning per grader run that names the limits no control group enforces."""
    missing = {"memory", "processes", "cpu"} - (cgroup.enforced if cgroup else set())
    if not missing or _ONCE["warned"]:
        return
    _ONCE["warned"] = True
    said = {
        "memory": f"memory is limited per process ({limits.memory_bytes >> 20} MB of address "
        "space each), not for the whole submission, and its tmpfs pages count against no limit",
        "processes": "the number of processes is limited per user (which root ignores)",
        "cpu": "a submission may use every CPU (no CPU share per submission)",
    }
    print(
        "WARNING: no control group for the submissions (they need root, or a writable cgroup "
        "v2 tree): " + "; ".join(said[m] for m in sorted(missing)) + ".",
        file=sys.stderr,
        flush=True,
    )


class Sandbox:
    """A temporary folder and the command that starts a kernel (or a worker) inside the sandbox."""

    def __init__(self, limits=None, mode=None, label="submission"):
        self.limits = limits or Limits()
        self.mode = mode or sandbox_mode()[0]
        self.root = Path(tempfile.mkdtemp(prefix="logreg-grade-"))
        self.home, self.work = self.root / "home", self.root / "work"
        # The kernel's IPC sockets; kernel.py makes the folder.
        self.sockets = self.root / "sockets"
        self._short = None
        if len(str(self.sockets)) > SOCKET_FOLDER_CHARS:
            self._short = Path(tempfile.mkdtemp(prefix="logreg-sock-", dir="/tmp"))
            self.sockets = self._short / "sockets"
        for d in (self.home, self.work):
            d.mkdir(mode=0o700)
        self.label = label
        self.privileged = os.geteuid() == 0
        if not _ONCE["stale"]:
            _ONCE["stale"] = True
            remove_stale()
        self.cgroup = Cgroup.create(
            self.limits.memory_bytes, self.limits.processes, self.limits.cpus
        )
        _warn_once(self.limits, self.cgroup)
        self.process = None
        with _LIVE_LOCK:
            _LIVE.add(self)

    def enforced(self):
        """The limits a control group enforces for the whole submission."""
        return set(self.cgroup.enforced) if self.cgroup else set()

    def memory_kills(self):
        """How many of the submission's processes its memory limit killed: a kernel that died
        with a count above 0 ran out of its ``--memory`` (0 where no control group counts)."""
        return self.cgroup.oom_kills() if self.cgroup else 0

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

    def _launch_limits(self):
        whole = self.enforced()
        address_space = self.limits.memory_bytes
        if "memory" in whole:
            address_space = max(2 * address_space, GENEROUS_ADDRESS_SPACE)
        return {
            "cpu": self.limits.cpu_seconds,
            "as": address_space,
            "fsize": self.limits.file_bytes,
            "nproc": None if "processes" in whole else self.limits.processes,
            "cgroup": self.cgroup.procs_files() if self.cgroup else [],
        }

    def command(self, argv):
        """The launcher, then bubblewrap (if available), then ``argv``.

        Files of the sandbox's folder named in ``argv`` (a kernel's connection file) are bound
        read-only; the sockets folder, once it exists, is the one host folder bound writable."""
        # The launcher runs as a file, not as ``-m logreg_grader._launch``: the package's
        # __init__ imports nbformat and jupyter_client, a second of CPU for every sandbox.
        launcher = [sys.executable, str(Path(__file__).with_name("_launch.py"))]
        launcher += [json.dumps(self._launch_limits()), "--"]
        if self.mode != "bwrap":
            return launcher + list(argv)
        return launcher + self._bwrap(argv) + list(argv)

    def _bwrap(self, argv):
        size, mounts = str(self.limits.tmpfs_bytes), []
        mounts += [("--ro-bind", d, d) for d in SYSTEM_DIRS if Path(d).exists()]
        # A private /tmp first: the binds below may lie under /tmp (a checkout there) and must
        # appear on top of it, not be hidden by it.
        mounts += [("--proc", "/proc"), ("--dev", "/dev")]
        mounts += [("--perms", "1777", "--size", size, "--tmpfs", "/tmp")]
        mounts += [("--perms", "1777", "--size", size, "--tmpfs", "/dev/shm")]
        mounts += [("--ro-bind", d, d) for d in _python_dirs()]
        for d in (self.home, self.work):
            mounts.append(("--perms", "0777", "--size", size, "--tmpfs", str(d)))
        for f in sorted(self.work.iterdir()):  # the submission's notebook
            mounts.append(("--ro-bind", str(f), str(f)))
        for arg in argv:
            path = Path(arg)
            if path.is_absolute() and path.parent == self.root and path.is_file():
                self._give(path)
                mounts.append(("--ro-bind", arg, arg))
        if self.sockets.is_dir():
            self._give(self.sockets)
            mounts.append(("--bind", str(self.sockets), str(self.sockets)))
        wrap = ["bwrap", *_with_parents(mounts), "--chdir", str(self.work)]
        wrap += ["--die-with-parent", "--new-session", "--clearenv"]
        for key, value in self.environment().items():
            wrap += ["--setenv", key, value]
        if not self.privileged:
            # bubblewrap makes a user namespace; the sandbox's user maps to the grader's.
            return wrap + ["--unshare-all", "--uid", str(NOBODY), "--gid", str(NOBODY)]
        # As root, bubblewrap sets up the sandbox with root's rights (it can bind folders that
        # only root may enter) and without a user namespace, then setpriv becomes the host's
        # real user nobody: with a namespace, its uid would map to host root and read /etc/shadow.
        wrap += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"]
        wrap += ["--unshare-cgroup-try", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        drop = ["setpriv", "--reuid", str(NOBODY), "--regid", str(NOBODY), "--clear-groups"]
        return wrap + ["--"] + drop + ["--inh-caps=-all", "--no-new-privs", "--"]

    def _give(self, path):
        """Let the sandbox's user read (a file) or write (a folder) ``path``; it stays private
        to that user on the host (the sandbox folder itself is root's, mode 0700)."""
        if self.privileged:
            os.chown(path, NOBODY, NOBODY)

    def kill(self):
        """Kill everything the submission started."""
        launched = self.process is not None and self.process.poll() is None
        if self.cgroup is not None:
            # The sandbox first, the launcher (the outer bubblewrap) last: it reaps the sandbox's
            # first process, which would otherwise stay a zombie of the machine's init.
            self.cgroup.kill(spare={self.process.pid} if launched else ())
            if launched:
                try:
                    self.process.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    pass
        if launched and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self.cgroup is not None:
            self.cgroup.kill()

    def cleanup(self):
        self.kill()
        if self.process is not None:
            try:
                self.process.wait(timeout=5)
            except (subprocess.TimeoutExpired, OSError):
                pass
        if self.cgroup is not None:
            self.cgroup.remove()
        shutil.rmtree(self.root, ignore_errors=True)
        if self._short is not None:
            shutil.rmtree(self._short, ignore_errors=True)
        with _LIVE_LOCK:
            _LIVE.discard(self)


def _with_parents(mounts):
    """bubblewrap's arguments for ``mounts``, each preceded by the folders above its target.

    bubblewrap run as root makes the folders above a mount point with mode 0700, which the
    sandbox's user could not enter; made first with ``--dir``, they get mode 0755."""
    made, args = {"/"}, []
    for mount in mounts:
        target = Path(mount[-1])
        if mount[0] == "--ro-bind" and str(target) in SYSTEM_DIRS:
            made.add(str(target))
        else:
            for parent in reversed(target.parents):
                if str(parent) not in made and not any(
                    str(parent).startswith(d + "/") for d in SYSTEM_DIRS
                ):
                    args += ["--perms", "0755", "--dir", str(parent)]
                made.add(str(parent))
        made.add(str(target))
        args += list(mount)
    return args
