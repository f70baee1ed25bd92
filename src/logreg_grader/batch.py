"""Grading a batch of submissions with several workers, and stopping it on Ctrl-C.

An instructor who presses Ctrl-C wants out now, with what was graded so far. The main thread
waits for results; on KeyboardInterrupt it cancels the submissions not started, kills every
sandbox (``sandbox.kill_all``: the kernels die, so the workers' waits end at once), keeps
killing any sandbox a worker was about to start for a short grace period, and returns the
results that were complete before the interrupt. Results a worker produces after the interrupt
(from a killed kernel) are not kept: those submissions are "not graded: interrupted".
"""

import os
import signal
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

from . import sandbox

__all__ = ["INTERRUPTED", "run_batch", "stop_sandboxes"]

INTERRUPTED = "not graded: interrupted"
GRACE = 5.0  # seconds the workers get to notice that their sandboxes are gone
# Seconds after Ctrl-C at which the process ends whatever it still waits for: an instructor's
# Ctrl-C must never be the start of a wait of its own (cleanup blocked by the machine, a thread
# that no kill reaches). The outputs are written well before it.
WATCHDOG = 60.0


def _watchdog(seconds):
    def end():
        os.write(2, b"interrupted: cleanup took too long; exiting now\n")
        os._exit(130)

    timer = threading.Timer(seconds, end)
    timer.daemon = True
    timer.start()
    return timer


def stop_sandboxes(threads_done, grace=GRACE):
    """Kill every sandbox until ``threads_done()`` or ``grace`` seconds have passed; returns
    whether the workers ended. Repeated, because a worker may start a sandbox after a kill."""
    deadline = time.monotonic() + grace
    while True:
        sandbox.kill_all()
        if threads_done() or time.monotonic() > deadline:
            sandbox.kill_all()
            return threads_done()
        time.sleep(0.1)


def run_batch(paths, grade_one, jobs, on_result):
    """Grade ``paths`` with ``jobs`` workers, calling ``on_result(result)`` in this thread as
    each finishes. Returns ``(results, interrupted, workers_ended)``."""
    results = []
    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="grade")
    pending = {pool.submit(grade_one, path) for path in paths}
    try:
        while pending:
            done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for future in done:
                result = future.result()
                results.append(result)
                on_result(result)
    except KeyboardInterrupt:
        # A second Ctrl-C during the few seconds of cleanup would leave sandboxes and a
        # half-written gradebook: it is ignored until the outputs are written.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _watchdog(WATCHDOG)
        pool.shutdown(wait=False, cancel_futures=True)
        workers = [t for t in threading.enumerate() if t.name.startswith("grade")]
        ended = stop_sandboxes(lambda: not any(t.is_alive() for t in workers))
        return results, True, ended
    pool.shutdown(wait=True)
    return results, False, True
