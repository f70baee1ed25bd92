"""Fixtures of the browser tests: the built site on a local server, and Chromium."""

import functools
import http.server
import threading

import pytest
from _browser import SITE, launch_chromium


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def server():
    if not (SITE / "index.html").exists():
        pytest.fail(f"{SITE} has no index.html; build the book first (make book)")
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture(scope="session")
def wide_formulas():
    """Formulas wider than their column, collected while the pages are checked; written to
    _build/screenshots/wide_equations_<viewport>.md at the end (for authors: candidates for a
    line break)."""
    found = {}
    yield found
    from _browser import write_wide_report

    write_wide_report(found)


def pytest_sessionfinish(session, exitstatus):
    """The axe table (_build/screenshots/axe.md) and the figure-text table (figure_text.md), from
    every page checked so far: each xdist worker rewrites them when it ends, and the controller,
    which ends last, writes them whole."""
    from _axe import write_axe_table
    from _figures import write_figure_table

    write_axe_table()
    write_figure_table()
