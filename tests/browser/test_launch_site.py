"""The site as committed (no repository URL): download buttons only, nothing that leads to a
repository or a launch service, and the Build status page outside the reader's parts.

Read from ``_build/html`` after the build; the header buttons are also checked in Chromium, on a
phone (390 x 844, device scale factor 3, touch) and a desktop (1400 x 900), with a screenshot of
the open download menu in ``_build/screenshots/launch_*.png``. The same extension with a URL set
is built in tests/book/test_launch_buttons.py.
"""

import json
import re

import pytest
from _browser import DESKTOP, PHONE, SHOTS, SITE

# Anything that would lead to a repository or to a launch service.
LINKS = ("mybinder.org", "colab.research.google.com", "logreg-book/logreg-book", "github.com/")
BUTTONS = ("dropdown-launch-buttons", "btn-source-repository-button", "source-buttons")
NOTEBOOK = "book/practice/separable_data.html"
HOMEWORK = "book/homework/hw1_gradient.html"


def site_files(*suffixes):
    return [p for p in SITE.rglob("*") if p.is_file() and p.suffix in suffixes]


def test_no_page_links_to_a_repository_or_a_launch_service():
    pages = site_files(".html")
    assert len(pages) > 30
    found = [
        (p.relative_to(SITE).as_posix(), s)
        for p in pages
        for s in LINKS + BUTTONS
        if s in p.read_text(encoding="utf-8")
    ]
    assert found == []


def test_no_download_installs_from_a_repository():
    notebooks = site_files(".ipynb")
    assert len(notebooks) > 20
    for path in notebooks:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        assert "%pip" not in code and "git+" not in code, path
        assert not [s for s in LINKS if s in code], path


def test_every_page_of_the_book_has_its_download_buttons():
    pages = sorted((SITE / "book").rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "dropdown-download-buttons" in html and "btn-download-pdf-button" in html, page
        source = re.search(r'href="([^"]*_sources/[^"]+)"[^>]*\s+class="[^"]*download-source', html)
        assert source and (page.parent / source.group(1)).resolve().is_file(), page


def test_the_build_status_page_is_for_developers_and_says_ok_in_words():
    status = (SITE / "book" / "status.html").read_text(encoding="utf-8")
    assert "\N{WHITE HEAVY CHECK MARK}" not in status and "\N{CROSS MARK}" not in status
    assert len(re.findall(r"<td><p>ok</p></td>", status)) >= 20
    # In every page's menu, the link to it comes under "For developers", the last caption.
    intro = (SITE / "book" / "intro.html").read_text(encoding="utf-8")
    captions = re.findall(r'<span class="caption-text">([^<]+)</span>', intro)
    assert captions[-1] == "For developers", captions
    assert intro.index('href="status.html"') > intro.index(">For developers<")


def _header(page):
    return page.locator(".article-header-buttons").first


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("path", [NOTEBOOK, HOMEWORK])
def test_the_header_offers_the_download_and_nothing_to_launch(browser, server, path, viewport):
    if viewport == "phone":
        context = browser.new_context(
            viewport=PHONE, device_scale_factor=3, is_mobile=True, has_touch=True
        )
    else:
        context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        page.goto(f"{server}/{path}", wait_until="load")
        header = _header(page)
        header.wait_for(state="visible")
        for button in BUTTONS:
            assert header.locator(f".{button}").count() == 0, button
        toggle = header.locator(".dropdown-download-buttons > button")
        if viewport == "phone":
            toggle.tap()
        else:
            toggle.click()
        ipynb = header.locator(".dropdown-download-buttons a.btn-download-source-button")
        ipynb.wait_for(state="visible")
        assert ipynb.inner_text().strip() == ".ipynb"
        SHOTS.mkdir(parents=True, exist_ok=True)
        name = path.removesuffix(".html").split("/")[-1]
        page.screenshot(path=str(SHOTS / f"launch_{viewport}_{name}.png"))
        served = page.request.get(
            f"{server}/{path.rsplit('/', 1)[0]}/{ipynb.get_attribute('href')}"
        )
        assert served.status == 200
        cells = json.loads(served.text())["cells"]
        assert "BEGIN SOLUTION" not in served.text() and len(cells) > 5
    finally:
        context.close()


def test_the_build_status_table_reads_ok_in_the_browser(browser, server):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        page.goto(f"{server}/book/status.html", wait_until="load")
        column = page.locator("article table tbody tr td:nth-child(5)")
        column.first.wait_for(state="visible")
        assert set(column.all_inner_texts()) == {"ok"}
        page.locator("article table").first.scroll_into_view_if_needed()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "launch_desktop_status.png"))
    finally:
        context.close()
