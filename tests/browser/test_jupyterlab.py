"""The notebooks in JupyterLab itself, in Chromium: they read like the website; the demos are live.

A JupyterLab server (with jupyterlab-myst, from requirements.txt) is started with a token on a
private copy of book/, with its own home, settings, IPython and Jupyter folders (trust database
included), so that nothing here touches the repository or the user's set-up, and nothing another
process does there changes what the test sees. Every wait is for a condition (the kernel
connected and idle, every cell run, the views rendered) with a deadline of minutes: on a busy
machine a kernel takes long to start, and that is no failure.

A theory page is opened and run; a small notebook then builds every demo and drives each with
the keyboard, measuring the time from a key press to the new image. The times
are written to _build/screenshots/jupyterlab_latency.txt: a measurement, not an assertion (the
machines are shared and noisy); the target is a median of at most 100 ms for the demos that do not
retrain.
"""

import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import numpy as np
import PIL.Image
import pytest
from _browser import ROOT, SHOTS
from playwright.sync_api import TimeoutError as PlaywrightTimeout

pytestmark = pytest.mark.kernel

PAGE = "book/softmax/shift_invariance.ipynb"  # theorems, proofs, exercises, a live demo
PRESSES = 15
# Deadlines (ms) for what waits on a kernel or the server: generous, for a shared machine.
KERNEL_DEADLINE = 600_000
RENDER_DEADLINE = 180_000

# What jupyterlab-myst 2.7 renders for a formula it cannot typeset, and for a reference it
# cannot resolve.
MATH_ERRORS = (
    '.myst span.text-yellow-600[title]:not([title="Cross Reference Not Found"]),'
    " .myst pre[title] > span.text-red-500"
)
UNRESOLVED = '.myst span[title="Cross Reference Not Found"]'

DEMOS = {
    # name: (code that builds the widget, the control a key press moves, retrains?)
    "sigmoid (w)": ("widgets.sigmoid_widget(x1, y1)", "w", False),
    "softmax temperature (temperature)": ("widgets.temperature_widget()", "temperature", False),
    "shift-invariance (u1)": (
        "widgets.shift_widget(X, y, model.coef_, model.intercept_)",
        "u1",
        False,
    ),
    "softmax vs sigmoid (w1)": ("widgets.softmax_sigmoid_widget()", "w1", False),
    "loss landscape (lr)": ("widgets.landscape_widget(x1[:, 0], y1)", "lr", False),
    "decision regions (angle)": (
        "widgets.regions_widget([[2, 0], [0, 2], [1, 1]], [0, 0, 0])",
        "angle",
        False,
    ),
    "calibration (temperature)": (
        "widgets.calibration_widget(3 * model.decision_function(X), y)",
        "temperature",
        False,
    ),
    "training (replay)": ("widgets.training_widget()", "iteration", False),
    "training (new alpha: retrain)": ("widgets.training_widget()", "alpha", True),
}
SETUP = """\
import numpy as np
from logreg import SoftmaxRegression, datasets
from logreg_book import widgets
rng = np.random.default_rng(0)
x1 = np.r_[rng.normal(-0.5, 2, 40), rng.normal(0.5, 2, 40)][:, None]
y1 = np.repeat([0, 1], 40)
X, y = datasets.make_blobs(40, 3, spread=1.3)
model = SoftmaxRegression(alpha=1e-2).fit(X, y)
"""


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    home = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "book", home / "book")
    # On opening, JupyterLab writes the kernel's Python version into the notebook's metadata; the
    # copy is saved as with this machine's Python, so that only a real rewrite marks it modified.
    page = home / PAGE
    nb = json.loads(page.read_text(encoding="utf-8"))
    nb["metadata"]["language_info"]["version"] = platform.python_version()
    page.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    demos = nbformat.v4.new_notebook(metadata=nb["metadata"])
    demos.cells = [nbformat.v4.new_code_cell(SETUP)] + [
        nbformat.v4.new_code_cell(code) for code, _, _ in DEMOS.values()
    ]
    nbformat.write(demos, home / "demos.ipynb")
    settings = home / "settings" / "@jupyterlab"
    for extension, name, value in (
        ("apputils-extension", "notification", '{"fetchNews": "false"}'),
        # Render every cell, not only those in view, so that the whole page can be inspected.
        ("notebook-extension", "tracker", '{"windowingMode": "none"}'),
    ):
        (settings / extension).mkdir(parents=True)
        (settings / extension / f"{name}.jupyterlab-settings").write_text(value)
    env = {
        **os.environ,
        "HOME": str(home / "home"),
        "IPYTHONDIR": str(home / "ipython"),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),  # the kernel spec comes from sys.prefix
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    (home / "home").mkdir()
    port, token = _free_port(), "logreg-book-test"
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={home}",
        # window.jupyterapp: the test asks the notebook's model what changed, if anything did.
        "--LabApp.expose_app_in_browser=True",
    ]  # fmt: skip
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = open(home / "server.log", "wb")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5)
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail("JupyterLab exited:\n" + (home / "server.log").read_text()[-2000:])
                if time.monotonic() > deadline:
                    pytest.fail("JupyterLab did not answer within 300 s")
                time.sleep(0.5)
        yield {"url": url, "token": token, "home": home}
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def chromium(browser):
    # The session's Chromium (conftest.py): a second Playwright in the same process fails
    # ("Sync API inside the asyncio loop") once another test file has started the first.
    return browser


# Resolves once the open notebook's kernel is connected, has sent its info (from which JupyterLab
# updates the notebook's language metadata) and is idle.
KERNEL_READY = """async () => {
  const panel = window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.sessionContext) return false;
  await panel.sessionContext.ready;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  if (!kernel) return false;
  await kernel.info;
  await new Promise(r => setTimeout(r, 500));  // the metadata update follows the info
  return kernel.connectionStatus === 'connected' && kernel.status === 'idle';
}"""


def _open(chromium, lab, path, scale=1):
    page = chromium.new_page(viewport={"width": 1400, "height": 1000}, device_scale_factor=scale)
    page.set_default_timeout(RENDER_DEADLINE)  # clicks and reads wait for a busy browser too
    page.goto(f"{lab['url']}/lab/tree/{path}?token={lab['token']}&reset")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=KERNEL_DEADLINE)
    page.wait_for_function(KERNEL_READY, timeout=KERNEL_DEADLINE, polling=1000)
    return page


def _changes_on_opening(page, original):
    """What JupyterLab's model of the open notebook holds that the file did not. Left out: two
    keys the model adds to a cell without marking it modified, its "trusted" flag and the legacy
    "collapsed" that mirrors jupyter.outputs_hidden."""
    model = page.evaluate("() => window.jupyterapp.shell.currentWidget.context.model.toJSON()")
    changes = _dict_changes("metadata", original["metadata"], model["metadata"])
    if len(model["cells"]) != len(original["cells"]):
        changes.append(f"{len(original['cells'])} cells -> {len(model['cells'])}")
    for before, after in zip(original["cells"], model["cells"], strict=False):
        label = f"cell {before.get('id')}"
        if "".join(before["source"]) != "".join(after["source"]):
            changes.append(f"{label} source")
        metadata = dict(after.get("metadata", {}))
        metadata.pop("trusted", None)
        if metadata.get("collapsed") == metadata.get("jupyter", {}).get("outputs_hidden"):
            metadata.pop("collapsed", None)
        changes += _dict_changes(f"{label} metadata", before.get("metadata", {}), metadata)
    return changes


def _dict_changes(where, old, new):
    """'where.key: old -> new' for each key whose value differs (into nested dictionaries)."""
    changes = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            changes += _dict_changes(f"{where}.{key}", a, b)
        elif a != b:
            changes.append(f"{where}.{key}: {a!r} -> {b!r}")
    return changes


def _run_all(page, timeout=KERNEL_DEADLINE):
    page.locator(".jp-NotebookPanel .jp-Cell").nth(1).click()
    page.keyboard.press("Escape")
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.locator("li[data-command='runmenu:run-all']").click()
    # Done when every code cell shows an execution count, "[n]:". (Waiting for the kernel's busy
    # indicator instead missed it on a loaded machine.)
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll(
                    '.jp-NotebookPanel .jp-CodeCell .jp-InputArea-prompt'))
                 .every(p => /\\[\\d+\\]/.test(p.innerText))""",
        timeout=timeout,
    )
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=timeout)


def _markdown_text(page):
    return page.evaluate(
        "() => Array.from(document.querySelectorAll('.jp-NotebookPanel .jp-MarkdownCell .myst'))"
        ".map(e => e.innerText).join('\\n')"
    )


def test_a_theory_page_reads_like_the_website(chromium, lab):
    source = (lab["home"] / PAGE).read_text(encoding="utf-8")
    markdown = "\n".join(
        "".join(c["source"]) for c in json.loads(source)["cells"] if c["cell_type"] == "markdown"
    )
    page = _open(chromium, lab, PAGE)
    try:
        tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-current")
        if "jp-mod-dirty" in tab.get_attribute("class"):
            changes = _changes_on_opening(page, json.loads(source))
            pytest.fail(f"opened as modified: {'; '.join(changes) or 'no change in the model'}")
        boxes = page.locator(".jp-NotebookPanel aside.myst-proof")
        n_prf = len(re.findall(r"```\{prf:\w+\}", markdown))
        exercises = re.findall(r"```\{exercise\}\n:label: (\S+)", markdown)
        solutions = len(re.findall(r"```\{solution(-start)?\} ", markdown))
        # jupyterlab-myst renders the markdown cells one by one, after the notebook opens.
        expected = {
            "aside.myst-proof": n_prf,
            "aside.myst-exercise": len(exercises),
            "details.myst-exercise": solutions,
        }
        try:
            page.wait_for_function(
                """expected => Object.entries(expected).every(([sel, n]) =>
                    document.querySelectorAll('.jp-NotebookPanel ' + sel).length >= n)""",
                arg=expected,
                timeout=RENDER_DEADLINE,
            )
        except PlaywrightTimeout:
            pass  # the assertions below say what did not render
        assert boxes.count() == n_prf, f"{boxes.count()} of {n_prf} theorem and proof boxes"
        for label in exercises:
            assert page.locator(f".jp-NotebookPanel aside.myst-exercise#{label}").count() == 1
        # Every solution is folded, and the code of a solution spanning cells is collapsed.
        folded = page.locator(".jp-NotebookPanel details.myst-exercise:not([open])")
        assert solutions and folded.count() == solutions, "a solution is not folded"
        hidden = [c for c in json.loads(source)["cells"] if c["metadata"].get("jupyter")]
        collapsed = page.locator(".jp-NotebookPanel .jp-Cell .jp-InputPlaceholder")
        assert hidden and collapsed.count() == len(hidden)
        assert page.locator(f".jp-NotebookPanel {MATH_ERRORS}").count() == 0, "a formula failed"
        assert page.locator(".jp-NotebookPanel .myst .katex").count() > 50
        assert page.locator(f".jp-NotebookPanel {UNRESOLVED}").count() == 0
        text = _markdown_text(page)
        for raw in ("{prf:", "{ref}", "{eval}", "{glue", ")=\n", "```"):
            assert raw not in text, f"raw MyST source {raw!r} shown"
        # A link to the API reference (tools/api_links.py) shows as a link with its text, where a
        # Sphinx role such as {py:func} would be an unknown role shown raw.
        api_links = re.findall(r"\[`([^`]+)`\]\(#(logreg\.[\w.]+)\)", markdown)
        assert api_links, "the page has no link to the API reference"
        for label, target in api_links:
            link = page.locator(f'.jp-NotebookPanel .myst a[href="#{target}"]')
            assert link.count() >= 1 and link.first.inner_text() == label, (label, target)
        assert "](#logreg" not in text
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "jupyterlab_theory_page.png"))

        # Once run, every computed value in the prose shows its value, not its name.
        _run_all(page)
        names = set(re.findall(r"\{eval\}`(\w+)`", markdown))
        text = _markdown_text(page)
        assert names and not [n for n in names if n in text], "an {eval} value is missing"
        errors = page.locator(".jp-NotebookPanel .jp-OutputArea-output[data-mime-type*='stderr']")
        assert errors.count() == 0, errors.first.inner_text()

        # The live demo: one per demo cell, sharp (device pixel ratio 2), complete, responsive.
        vbox = page.locator(".jp-NotebookPanel .widget-vbox").first
        vbox.scroll_into_view_if_needed()
        assert page.locator(".jp-NotebookPanel .widget-vbox").count() == source.count(
            ".with_animation("
        )
        assert page.locator(".jp-NotebookPanel .logreg-player").count() == 0  # widget, not both
        natural, shown = vbox.locator("img").evaluate(
            "e => [e.naturalWidth, e.getBoundingClientRect().width]"
        )
        assert natural == pytest.approx(2 * shown, abs=2)
        before = _image(vbox)
        latencies = _press_keys(page, vbox, "u1", PRESSES)
        after = _image(vbox)
        assert not np.array_equal(before, after), "the image did not change"
        assert _has_title(after), "the figure's title is missing"
        page.screenshot(path=str(SHOTS / "jupyterlab_live_demo.png"))
        assert len(latencies) == PRESSES
    finally:
        page.close()


def _image(vbox):
    data = vbox.locator("img").evaluate(
        """async e => {
            const blob = await (await fetch(e.src)).blob();
            const bytes = new Uint8Array(await blob.arrayBuffer());
            let s = ''; for (const b of bytes) s += String.fromCharCode(b);
            return btoa(s);
        }"""
    )
    import base64
    import io

    return np.asarray(PIL.Image.open(io.BytesIO(base64.b64decode(data))).convert("L"))


def _has_title(pixels):
    # A title is dark text in the band above the axes: find the first row of the axes frame (a
    # long dark line) and look for ink above it.
    dark = pixels < 100
    frame = np.flatnonzero(dark.sum(axis=1) > 0.25 * pixels.shape[1])
    top = frame[0] if len(frame) else pixels.shape[0] // 5
    return dark[: max(top - 2, 1)].sum() > 50


LATENCY_JS = """
([vbox, name]) => {
  const img = vbox.querySelector('img');
  window.__lat = []; window.__t0 = null;
  img.addEventListener('load', () => {
    if (window.__t0 === null) return;
    window.__lat.push(performance.now() - window.__t0);
    window.__t0 = null;
  });
  const sliders = Array.from(vbox.querySelectorAll('.widget-slider'));
  const slider = sliders.find(s => s.querySelector('.widget-label').textContent.trim() === name);
  const handle = slider.querySelector('.noUi-handle');
  handle.addEventListener('keydown', () => { window.__t0 = performance.now(); }, true);
  handle.focus();
  const [now, lo, hi] = ['now', 'min', 'max'].map(
    k => Number(handle.getAttribute('aria-value' + k)));
  return now - lo > hi - now ? 'ArrowLeft' : 'ArrowRight';  // the side with more room
}
"""


def _press_keys(page, vbox, label, n):
    """Key presses on the slider labelled ``label``; the time from each to its new image."""
    key = page.evaluate(LATENCY_JS, [vbox.element_handle(), label])
    for i in range(n):
        page.keyboard.press(key)
        page.wait_for_function(f"() => window.__lat.length >= {i + 1}", timeout=RENDER_DEADLINE)
        time.sleep(0.05)
    return page.evaluate("() => window.__lat")


def test_every_demo_answers_the_keyboard_and_its_latency_is_recorded(chromium, lab):
    page = _open(chromium, lab, "demos.ipynb")
    rows = []
    try:
        _run_all(page)
        boxes = page.locator(".jp-NotebookPanel .widget-vbox")
        # The views render after the kernel goes idle; on a loaded machine that takes a while.
        page.wait_for_function(
            "n => document.querySelectorAll('.jp-NotebookPanel .widget-vbox').length >= n",
            arg=len(DEMOS),
            timeout=RENDER_DEADLINE,
        )
        assert boxes.count() == len(DEMOS)
        for i, (name, (_, control, retrains)) in enumerate(DEMOS.items()):
            vbox = boxes.nth(i)
            vbox.scroll_into_view_if_needed()
            # The live slider carries the label of the website's player (the control's name).
            labels = vbox.locator(".widget-slider .widget-label").all_inner_texts()
            assert control in [t.strip() for t in labels], f"{name}: no slider {control!r}"
            before = _image(vbox)
            times = _press_keys(page, vbox, control, 5 if retrains else PRESSES)
            after = _image(vbox)
            assert not np.array_equal(before, after), f"{name}: the image did not change"
            assert _has_title(after), f"{name}: the figure's title is missing"
            rows.append((name, statistics.median(times), max(times), retrains))
    finally:
        page.close()
    lines = [
        "key press -> new image in JupyterLab (Chromium, this machine), milliseconds",
        "(inside make test the notebooks' tests may still run on the other core; for a quiet figure"
        " run this file alone: .venv/bin/python -m pytest tests/browser/test_jupyterlab.py)",
        f"{'demo':34} {'median':>7} {'max':>7}  target",
    ]
    for name, median, worst, retrains in rows:
        target = "(retrains: no target)" if retrains else "median <= 100 ms"
        lines.append(f"{name:34} {median:7.0f} {worst:7.0f}  {target}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "jupyterlab_latency.txt").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
