"""A Jupyter kernel inside the sandbox, driven cell by cell with timeouts and output caps.

The kernel talks to the grader over Unix sockets in the submission's own folder (the sandbox
has no network). Its file descriptors 1 and 2 go nowhere the grader reads, so a flood written
to them costs nothing; every message it sends is capped in size (larger ones are dropped by
ZeroMQ before the grader holds them), and the grader keeps only the first characters of a
cell's output. A cell that outlives its time is interrupted; if the interrupt is ignored, the
sandbox is killed. A kernel that dies is noticed at once.

A probe's answers arrive as ``display_data`` of the private MIME type of ``probes``; ``run``
hands those of its own execution (and no other) to the probe's collector. Nothing here opens a
path the kernel can write: its standard error goes to an anonymous file the grader holds.
"""

import os
import stat
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

import zmq
from jupyter_client import KernelManager

from .probes import MIME

__all__ = ["CellResult", "SandboxedKernel"]

MAX_MESSAGE_BYTES = 1 << 20  # one message from the kernel; larger ones are dropped
QUEUED_MESSAGES = 32  # messages the grader buffers per channel; a flood beyond it is dropped
OUTPUT_CHARS = 20_000  # what the grader keeps of one cell's printed output
INTERRUPT_GRACE = 3.0  # seconds an interrupted cell gets to stop before the sandbox is killed
STDERR_BYTES = 2000  # what the grader reads of the kernel's standard error (a failed start)
DRAIN_SECONDS = 0.5  # longest the grader reads output before it looks at the clock again
SHUTDOWN_SECONDS = 5.0  # the kernel's shutdown; the sandbox is killed after it in any case


@dataclass
class CellResult:
    status: str = "ok"  # "ok", "error", "timeout" or "dead"
    ename: str = ""
    evalue: str = ""
    output: str = ""
    seconds: float = 0.0
    notes: list = field(default_factory=list)
    idle: bool = False  # the kernel said it finished this cell


class _SandboxKernelManager(KernelManager):
    sandbox = None

    def format_kernel_cmd(self, extra_arguments=None):
        argv = [self.sandbox_python, "-m", "ipykernel_launcher", "-f", self.connection_file]
        return self.sandbox.command(argv)


class SandboxedKernel:
    """One kernel in one sandbox; ``run`` executes a cell and reports how it ended."""

    def __init__(self, sandbox, python, startup_timeout=60.0):
        self.sandbox = sandbox
        sockets = sandbox.sockets
        sockets.mkdir(mode=0o700)
        self.manager = _SandboxKernelManager(
            transport="ipc",
            ip=str(sockets / "kernel"),
            connection_file=str(sandbox.root / "connection.json"),
            shutdown_wait_time=SHUTDOWN_SECONDS,
        )
        self.manager.sandbox = sandbox
        self.manager.sandbox_python = python
        self.startup_timeout = startup_timeout
        self.client = None
        self.dead = False

    def start(self):
        # Descriptors 1 and 2 of the kernel: nothing the grader prints or holds in memory; the
        # first bytes of stderr explain a kernel that fails to start. An anonymous file outside
        # the sandbox's folder: the kernel cannot swap it for a FIFO or a link.
        self._stderr = tempfile.TemporaryFile()
        self.manager.start_kernel(
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
            env=self.sandbox.environment(),
            cwd=str(self.sandbox.work),
        )
        self.sandbox.process = self.manager.provisioner.process
        # Every socket of this client drops a message larger than MAX_MESSAGE_BYTES.
        context = zmq.Context()
        context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
        context.setsockopt(zmq.RCVHWM, QUEUED_MESSAGES)
        # A client of the manager asks the manager, not the heartbeat, whether the kernel lives:
        # the heartbeat needs a moment after start-up before it beats.
        self.client = self.manager.client(context=context)
        self.client.start_channels()
        self.client.wait_for_ready(timeout=self.startup_timeout)
        self._seal_sockets()

    def _seal_sockets(self):
        """Once the kernel has made its sockets, their folder becomes the grader's (root's, mode
        0755): the kernel can no longer swap a socket for a link to a host socket, which ZeroMQ,
        reconnecting by path as root, would follow. (A grader that is not root shares its user
        with the sandbox; ``_reconnect_iopub`` still checks the path before it reconnects.)"""
        sockets = self.sandbox.sockets
        if os.geteuid() == 0 and sockets.is_dir():
            os.chown(sockets, 0, 0)
            os.chmod(sockets, 0o755)

    def alive(self):
        return not self.dead and self.manager.is_alive()

    def run(self, code, timeout, collector=None):
        """Execute ``code``; never raises for anything the code does. ``collector`` (a
        ``probes.Collector``) receives the values this execution sends."""
        result, start = CellResult(), time.monotonic()
        if not self.alive():
            self.dead = True
            return CellResult(status="dead", notes=["the kernel had already stopped"])
        msg_id = self.client.execute(
            code, store_history=False, allow_stdin=False, stop_on_error=False
        )
        reply = reply_time = interrupted = None
        while True:
            self._drain_iopub(msg_id, result, collector)
            if reply is None:
                reply = self._shell_reply(msg_id)
                reply_time = time.monotonic()
            now = time.monotonic()
            if reply is not None and (result.idle or now > reply_time + 1.0):
                break
            if not self.manager.is_alive():
                self.dead, result.status = True, "dead"
                break
            if reply is None and interrupted is None and now > start + timeout:
                self._interrupt()
                interrupted = now
                result.notes.append(f"interrupted after {timeout:g} s")
            elif reply is None and interrupted is not None and now > interrupted + INTERRUPT_GRACE:
                self.kill()
                result.status = "timeout"
                result.notes.append("the interrupt was ignored, so the sandbox was killed")
                break
        if reply is not None and not result.idle:
            # Without its "idle" message the output stream lost messages: an oversized one made
            # ZeroMQ drop the connection. A new subscription serves the next cells.
            if not self._reconnect_iopub():
                result.status = "dead"
                result.notes.append("the kernel's output socket was replaced, so it was stopped")
        if reply is not None:
            content = reply["content"]
            result.status = "timeout" if interrupted else content.get("status", "error")
            if content.get("status") == "error":
                result.ename = str(content.get("ename", ""))[:200]
                result.evalue = str(content.get("evalue", ""))[:1000]
        result.seconds = time.monotonic() - start
        return result

    def _shell_reply(self, msg_id):
        try:
            msg = self.client.get_shell_msg(timeout=0.05)
        except Exception:  # queue.Empty, or a message ZeroMQ could not deliver
            return None
        return msg if msg.get("parent_header", {}).get("msg_id") == msg_id else None

    def _drain_iopub(self, msg_id, result, collector=None):
        # A kernel that sends without pause must not keep the grader here: back to ``run`` (and
        # its timeouts) after a moment, whatever is still queued.
        until = time.monotonic() + DRAIN_SECONDS
        while time.monotonic() < until:
            try:
                msg = self.client.get_iopub_msg(timeout=0.02)
            except Exception:
                return
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "status" and content.get("execution_state") == "idle":
                result.idle = True
            text = ""
            if kind == "stream":
                text = content.get("text", "")
            elif kind in ("execute_result", "display_data"):
                data = content.get("data")
                data = data if isinstance(data, dict) else {}
                if kind == "display_data" and MIME in data:
                    if collector is not None:
                        collector.add(data[MIME])
                    continue
                text = str(data.get("text/plain", ""))
            elif kind == "error":
                text = f"{content.get('ename')}: {content.get('evalue')}"
            room = OUTPUT_CHARS - len(result.output)
            if text and room > 0:
                result.output += text[:room]

    def _reconnect_iopub(self):
        """A new subscription to the kernel's output; False (and the kernel killed) if its
        socket is no longer a socket (a link or a FIFO planted in its place)."""
        if self.manager.transport == "ipc":
            try:
                info = os.lstat(f"{self.manager.ip}-{self.manager.iopub_port}")
            except OSError:
                info = None
            if info is None or not stat.S_ISSOCK(info.st_mode):
                self.kill()
                return False
        try:
            self.client._iopub_channel.close()
        except Exception:
            pass
        self.client._iopub_channel = None
        self.client.iopub_channel.start()
        time.sleep(0.05)  # let the new subscription reach the kernel before the next cell
        return True

    def _interrupt(self):
        try:
            self.client.control_channel.send(self.client.session.msg("interrupt_request", {}))
        except Exception:
            pass

    def kill(self):
        self.dead = True
        self.sandbox.kill()

    def stop(self):
        try:
            if self.client is not None:
                self.client.stop_channels()
                self.client.context.destroy(linger=0)
            if self.manager.has_kernel:
                self.manager.shutdown_kernel(now=True)
        except Exception:
            pass
        self.sandbox.kill()
        if getattr(self, "_stderr", None) is not None:
            self._stderr.close()

    def startup_errors(self):
        """The start of what the kernel wrote to its standard error (for a failed start), read
        through the grader's own descriptor, never by path."""
        stderr = getattr(self, "_stderr", None)
        if stderr is None or stderr.closed:
            return ""
        try:
            stderr.seek(0)
            return stderr.read(STDERR_BYTES).decode(errors="replace")
        except (OSError, ValueError):
            return ""
