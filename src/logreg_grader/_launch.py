"""``python .../logreg_grader/_launch.py LIMITS -- COMMAND...``: apply the sandbox's resource limits
to this process, join its control group, then become COMMAND (see ``sandbox``)."""

import json
import os
import resource
import sys
from pathlib import Path


def _count_tasks(uid):
    count = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    count += len(os.listdir(entry / "task"))
            except OSError:
                continue
    return count


def launch(limits, argv):
    try:
        os.setsid()  # one process group: the grader kills it as a whole
    except PermissionError:  # already a session leader
        pass
    # Folders and files the sandbox makes are readable by its user, whatever the grader's umask.
    os.umask(0o022)
    resource.setrlimit(resource.RLIMIT_CPU, (limits["cpu"], limits["cpu"] + 5))
    resource.setrlimit(resource.RLIMIT_AS, (limits["as"], limits["as"]))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["fsize"], limits["fsize"]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # Joined before COMMAND starts, so that every process of the submission is in the group.
    for procs in limits.get("cgroup") or []:
        Path(procs).write_text(str(os.getpid()))
    if limits.get("nproc"):
        # The limit counts every task of this user, so it is set relative to what runs now.
        allowed = _count_tasks(os.getuid()) + limits["nproc"]
        resource.setrlimit(resource.RLIMIT_NPROC, (allowed, allowed))
    os.execvp(argv[0], argv)


if __name__ == "__main__":
    launch(json.loads(sys.argv[1]), sys.argv[sys.argv.index("--") + 1 :])
