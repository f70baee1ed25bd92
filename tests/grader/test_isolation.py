"""No test reads or writes the real home folder.

The repository's top conftest.py points HOME and the per-user folders of IPython, Jupyter and
Matplotlib at a fresh folder before any test runs. Here a kernel and the grader run in a pytest
started with HOME set to a decoy home that a kernel would read (an IPython startup file, a
Jupyter config): the test passes, no file of the decoy is read into a kernel, and the decoy is
exactly as it was.

The grader's run without a sandbox here is also the one that shows a run without one is
announced (``test_without_a_sandbox_the_grader_warns``, once test_sandbox.py): one grading run
for both, in a module-scoped fixture.
"""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from _homework import ROOT, all_solutions, grade_cli, submission
from jupyter_client.manager import start_new_kernel

pytestmark = pytest.mark.kernel

# What the top conftest.py redirects; the decoy run starts without them, as on a user's machine.
PER_USER = ("IPYTHONDIR", "MPLCONFIGDIR", "PYTHONNOUSERSITE", "XDG_", "JUPYTER_")


def _kernel_output(code):
    manager, client = start_new_kernel(kernel_name="python3", startup_timeout=120)
    try:
        out = []
        reply = client.execute_interactive(code, timeout=120, output_hook=_collect(out))
        assert reply["content"]["status"] == "ok", reply["content"]
        return "".join(out)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def _collect(out):
    def hook(message):
        if message["msg_type"] == "stream":
            out.append(message["content"]["text"])

    return hook


@pytest.fixture(scope="module")
def unsandboxed(tmp_path_factory):
    """The instructor's answers to hw3 graded without a sandbox: (completed process, results)."""
    folder = tmp_path_factory.mktemp("unsandboxed")
    path = submission(folder, "s.ipynb", "hw3_sympy", all_solutions("hw3_sympy"))
    return grade_cli([path], "hw3_sympy", folder, "--sandbox", "none")


def test_without_a_sandbox_the_grader_warns(unsandboxed):
    done, results = unsandboxed
    assert "WARNING: grading without a sandbox" in done.stderr, done.stderr[-2000:]
    assert results["s.ipynb"]["score"] == 8.0, done.stdout + done.stderr


def test_kernels_and_the_grader_run_in_the_tests_own_home(unsandboxed):
    home = Path(os.environ["HOME"])
    assert home.name.startswith("logreg-tests-home-"), home
    printed = _kernel_output(
        "import os, IPython.paths\n"
        "print(os.environ['HOME'], IPython.paths.get_ipython_dir(), sep='\\n')"
    )
    kernel_home, ipython_dir = printed.split()
    assert Path(kernel_home) == home and Path(ipython_dir).is_relative_to(home)
    done, results = unsandboxed
    assert results["s.ipynb"]["score"] == 8.0, done.stdout + done.stderr


def _snapshot(folder):
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        if p.is_file()
        else ""
        for p in sorted(folder.rglob("*"))
    }


def test_nothing_is_read_from_or_written_to_the_real_home(tmp_path):
    decoy = tmp_path / "decoy-home"
    read = tmp_path / "decoy-was-read"
    startup = decoy / ".ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-decoy.py").write_text(f"open({str(read)!r}, 'w').write('ipython')\n")
    (decoy / ".jupyter").mkdir()
    (decoy / ".jupyter" / "jupyter_config.py").write_text(
        f"open({str(read)!r}, 'w').write('jupyter')\n"
    )
    before = _snapshot(decoy)
    env = {k: v for k, v in os.environ.items() if not k.startswith(PER_USER)}
    env["HOME"] = str(decoy)
    test = (
        f"{Path(__file__).relative_to(ROOT)}::test_kernels_and_the_grader_run_in_the_tests_own_home"
    )
    command = [sys.executable, "-m", "pytest", test, "-p", "no:cacheprovider", "-p", "no:xdist"]
    command += [f"--basetemp={tmp_path / 'inner'}", "-q"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "1 passed" in done.stdout
    assert not read.exists(), f"a kernel ran the decoy home's {read.read_text()} start-up file"
    assert _snapshot(decoy) == before
