"""The checker: a sandboxed worker that decodes a submission's answers and applies the rules.

Everything built from what a submission sent (``.npy`` bytes, JSON, SymPy ``srepr`` text) is
decoded and compared here, in ``python -m logreg_grader.checker``, never in the grader's own
process. The grader starts it through the sandbox's command (its own folder, no network, the
sandbox's user), with a memory limit of its own and a deadline; the values go in on standard
input as JSON, the verdicts come back on standard output, read with a size cap. Each SymPy
decision runs in a forked child of the checker with its own time limit (``symcheck``).

If the checker dies, runs out of time or writes something that is not a verdict for every
question, each question of that submission fails with the reason; nothing else is affected.
"""

import json
import os
import select
import subprocess
import sys
import threading
import time

from .sandbox import Limits, Sandbox

__all__ = ["CheckerError", "check"]

MEMORY_BYTES = 1 << 30  # the checker's address space, SymPy's children included
BASE_SECONDS = 60.0  # decoding and the numeric rules, under load
VERDICT_BYTES = 1 << 20  # what the grader reads of the checker's answer
STDERR_BYTES = 4000  # what the grader keeps of the checker's error output


# ``python -m logreg_grader.checker`` would first run the package's ``__init__``, which imports
# the whole grader (nbformat, jupyter_client, ZeroMQ: about a second of CPU per submission, for
# modules the checker never uses). The checker is started instead by registering the package's
# folder without running ``__init__``; ``python -m logreg_grader.checker`` works as well.
_BOOT = (
    "import importlib.util, sys, types\n"
    "spec = importlib.util.find_spec('logreg_grader')\n"
    "package = types.ModuleType('logreg_grader')\n"
    "package.__path__ = list(spec.submodule_search_locations)\n"
    "sys.modules['logreg_grader'] = package\n"
    "from logreg_grader.checker import main\n"
    "main()\n"
)


class CheckerError(RuntimeError):
    """The checker did not return a verdict for every question: ``why`` (the grader's words)
    and ``errors`` (the start of the checker's error output, for the instructor)."""

    def __init__(self, why, errors=""):
        super().__init__(why + (f"; its error output: {errors}" if errors else ""))
        self.why, self.errors = why, errors


def _symbolic(tests):
    return sum(1 for rules in tests.values() for r in rules if r.get("kind") not in _NUMERIC)


_NUMERIC = ("allclose", "equal", "accuracy")


def check(tests, student, reference, options, label="checker", sympy_seconds=None):
    """``{grade id: (ok, reason)}`` for ``tests`` (grade id -> rules), comparing the student's
    encoded values (grade id -> name -> JSON text from the probe) with the reference's.

    Raises :class:`CheckerError` with the reason (and the start of the checker's error output)
    when the checker gives no usable verdict; the caller fails the submission's questions.
    """
    from .symcheck import SECONDS

    seconds = SECONDS if sympy_seconds is None else sympy_seconds
    deadline_seconds = BASE_SECONDS + 1.5 * seconds * _symbolic(tests)
    request = json.dumps(
        {"tests": tests, "student": student, "reference": reference, "sympy_seconds": seconds}
    ).encode()
    limits = Limits(cpu_seconds=deadline_seconds + 10, memory_bytes=MEMORY_BYTES, processes=16)
    sandbox = Sandbox(limits, options.mode, f"{label} (checker)")
    try:
        argv = [options.python, "-c", _BOOT]
        process = subprocess.Popen(
            sandbox.command(argv),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=sandbox.environment(),
            cwd=str(sandbox.work),
        )
        sandbox.process = process
        out, err, why = _exchange(process, request, deadline_seconds)
        if why:
            _end(process, sandbox)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _end(process, sandbox)
            process.wait(timeout=10)
    finally:
        sandbox.cleanup()
    errors = err.decode(errors="replace").strip()
    if why is None and process.returncode != 0:
        why = f"it stopped with exit code {process.returncode}"
    verdicts = None if why else _verdicts(out, tests)
    if verdicts is None:
        why = why or "its answer was not a verdict for every question"
        raise CheckerError(why, errors)
    return verdicts


def _end(process, sandbox):
    """Kill the checker: its process group and cgroup (the sandbox), and the process itself in
    case it had not yet made its own group."""
    sandbox.kill()
    try:
        process.kill()
    except OSError:
        pass


def _exchange(process, request, seconds):
    """Send ``request``, read the answer and the error output until both close; returns (out,
    err, None) or what was read and why the exchange stopped."""

    def feed():
        try:
            process.stdin.write(request)
            process.stdin.close()
        except (BrokenPipeError, OSError, ValueError):
            pass  # the checker is gone: its exit code says why

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    out_fd, err_fd = process.stdout.fileno(), process.stderr.fileno()
    buffers = {out_fd: bytearray(), err_fd: bytearray()}
    caps = {out_fd: VERDICT_BYTES, err_fd: STDERR_BYTES}
    open_fds, deadline, why = {out_fd, err_fd}, time.monotonic() + seconds, None
    while open_fds and why is None:
        left = deadline - time.monotonic()
        ready = select.select(list(open_fds), [], [], left)[0] if left > 0 else []
        if not ready:
            why = f"it did not finish within {seconds:g} s"
        for fd in ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                open_fds.discard(fd)
            elif len(buffers[fd]) + len(chunk) <= caps[fd]:
                buffers[fd] += chunk
            elif fd == out_fd:
                why = f"its answer is larger than {VERDICT_BYTES:,} bytes"
            else:  # error output beyond what the report shows: read on, keep nothing
                buffers[fd] += chunk[: caps[fd] - len(buffers[fd])]
    process.stdout.close()
    process.stderr.close()
    return bytes(buffers[out_fd]), bytes(buffers[err_fd]), why


def _verdicts(out, tests):
    try:
        answer = json.loads(out.decode())
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(answer, dict) or set(answer) != set(tests):
        return None
    verdicts = {}
    for grade_id, verdict in answer.items():
        if not (
            isinstance(verdict, list)
            and len(verdict) == 2
            and isinstance(verdict[0], bool)
            and isinstance(verdict[1], str)
        ):
            return None
        verdicts[grade_id] = (verdict[0], verdict[1])
    return verdicts


def main():
    """The checker's side: a request on standard input, the verdicts on standard output."""
    from .probes import decode
    from .rules import evaluate_rules

    request = json.loads(sys.stdin.buffer.read())

    def decoded(values):
        return {
            grade_id: {name: decode(text) for name, text in named.items()}
            for grade_id, named in values.items()
            if isinstance(named, dict)
        }

    tests = request["tests"]
    outcome = evaluate_rules(
        tests,
        decoded(request["student"]),
        decoded(request["reference"]),
        sympy_seconds=float(request["sympy_seconds"]),
    )
    json.dump({g: [bool(ok), str(why)] for g, (ok, why) in outcome.items()}, sys.stdout)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
