"""Local Sphinx extension: a light first load on a slow phone, and HTML without duplicates.

On a throttled phone (1.6 Mbit/s, 150 ms; ``tools/page_weight.py``) the site spent most of its
first load on files a reader of the page does not need:

- ``fontawesome.js`` (1.49 MB, the theme's icon library with every icon of Font Awesome) turns
  the header's ~15 ``<i class="fa-...">`` elements into inline SVG in the browser. The build does
  the same once: each icon's SVG is taken from the theme's own copy of ``fontawesome.js``, written
  in place of the ``<i>`` element, exactly as the script would render it, and the script is
  dropped; its stylesheet (the same text the script injects) is written to
  ``_static/fontawesome-svg.css``. The icons then show at first paint, before any script runs.
- ``searchindex.js`` (and Sphinx's search scripts) were loaded, render-blocking, in the head of
  every page, for the theme's search-as-you-type, which this book does not use (the search field
  opens the search page). Only ``search.html`` loads them now, deferred, so the search page
  works as before over http and from the file system.
- ``sphinx-design`` (CSS and tab script) is loaded only on a page that uses it (none does now);
  ``sphinx-thebe.css`` is dropped with thebe itself (offline_site.py).

HTML hygiene:

- One ``<meta name="viewport">``: Sphinx's basic layout, docutils and pydata-sphinx-theme each
  wrote one.
- No repeated ids: sphinx-proof and sphinx-exercise give every theorem's, exercise's and
  solution's body the same id (``proof-content``, ``exercise-content``, ``solution-content``)
  and every proof ``id="proof"``. Nothing links to them; the one rule that used ``#proof``
  (sphinx-proof's proof.css) is matched by the class ``proof-body`` in ``light_pages.css``.
- The Proof Index (``prf-prf.html``) names each entry ("Theorem 14.2") with its title, grouped by
  kind, instead of listing the raw labels (``thm-ce-kl``), and fits a phone.

The page rewrites are exact-match edits of the theme's markup after the build; a page that
still has an icon the build could not supply is reported as a warning (fatal with ``-W``).
"""

import re
from collections import defaultdict
from pathlib import Path

from docutils import nodes
from sphinx.util import logging
from sphinx_proof.domain import ProofDomain, ProofIndex

logger = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"
FA_CSS = "fontawesome-svg.css"
DUPLICATE_IDS = {"proof-content", "exercise-content", "solution-content"}
SEARCH_SCRIPTS = ("searchtools.js", "language_data.js", "searchindex.js")

# ----- Icons: fontawesome.js's packs, read at build time -------------------------------------

# A pack is ``var p={name:[width,height,[aliases],"unicode","path"],...}`` registered by
# ``d("fas",p)`` (solid), ``d("far",p)`` (regular) or ``d("fab",p)`` (brands).
_ICON = re.compile(r'(?:"([^"]+)"|([\w$]+)):\[(\d+),(\d+),\[([^\]]*)\],"[0-9a-f]+","([^"]+)"\]')
_PACK = re.compile(r'd\("(fa[srb])",p\)')
_PREFIXES = {
    "fa": "fas", "fas": "fas", "fa-solid": "fas",
    "far": "far", "fa-regular": "far",
    "fab": "fab", "fa-brands": "fab",
}  # fmt: skip


def read_icons(fontawesome_js):
    """{prefix: {name or alias: (width, height, path)}} from the theme's fontawesome.js."""
    text = Path(fontawesome_js).read_text("utf-8")
    packs = {}
    for match in _PACK.finditer(text):
        start = text.rfind("var p={", 0, match.start())
        icons = packs.setdefault(match.group(1), {})
        for icon in _ICON.finditer(text, start, match.start()):
            quoted, bare, width, height, aliases, path = icon.groups()
            shape = (int(width), int(height), path)
            icons[quoted or bare] = shape
            for alias in re.findall(r'"([^"]+)"', aliases):
                icons.setdefault(alias, shape)
    return packs


def read_icon_css(fontawesome_js):
    """The stylesheet fontawesome.js injects into every page (its ``svg-inline--fa`` rules)."""
    text = Path(fontawesome_js).read_text("utf-8")
    start = text.index(":host,:root{--fa-font-solid")
    return text[start : text.index("'", start)]


_ICON_ELEMENT = re.compile(r'<(i|span)\s([^>]*\bclass="[^"]*\bfa[\w-]*\b[^"]*"[^>]*)>\s*</\1>')
_ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')


def _svg(attributes, packs, counter):
    """The SVG that fontawesome.js renders for one ``<i class="fa-...">``; None if unknown."""
    attrs = dict(_ATTRIBUTE.findall(attributes))
    classes = attrs.pop("class").split()
    prefix = next((_PREFIXES[c] for c in classes if c in _PREFIXES), None)
    if prefix is None:
        return None
    icons = packs.get(prefix, {})
    name = next((c[3:] for c in classes if c.startswith("fa-") and c[3:] in icons), None)
    if name is None:
        return None
    width, height, path = icons[name]
    rest = [c for c in classes if c not in _PREFIXES and c != f"fa-{name}"]
    out = [f'class="svg-inline--fa fa-{name}{"".join(" " + c for c in rest)}"']
    title = attrs.pop("title", None)
    out += [f'{k}="{v}"' for k, v in attrs.items()]
    inner = f'<path fill="currentColor" d="{path}"></path>'
    if title is None:
        out += ['aria-hidden="true"', 'focusable="false"']
    else:
        counter[0] += 1
        title_id = f"svg-inline--fa-title-{counter[0]}"
        out.append(f'aria-labelledby="{title_id}"')
        inner = f'<title id="{title_id}">{title}</title>' + inner
    out += [f'data-prefix="{prefix}"', f'data-icon="{name}"', 'role="img"']
    out += ['xmlns="http://www.w3.org/2000/svg"', f'viewBox="0 0 {width} {height}"']
    return f"<svg {' '.join(out)}>{inner}</svg>"


# ----- The written pages ------------------------------------------------------------------------

_FA_SCRIPT = re.compile(r'\s*<script defer src="([^"]*)scripts/fontawesome\.js[^"]*"></script>')
_FIRST_STYLESHEET = re.compile(r'<link href="[^"]*" rel="stylesheet" />')
_VIEWPORT = re.compile(r'\s*<meta name="viewport"[^>]*>')
_SEARCH_NAMES = "|".join(map(re.escape, SEARCH_SCRIPTS))
_SEARCH_SCRIPT = re.compile(rf'\s*<script src="([^"]*(?:{_SEARCH_NAMES}))"></script>')


def rewrite_page(html, packs, is_search_page):
    """The page without fontawesome.js, with its icons inline, one viewport tag and search
    scripts only (and deferred) on the search page. Returns (html, names of unknown icons)."""
    script = _FA_SCRIPT.search(html)
    if script:
        html = html[: script.start()] + html[script.end() :]
        link = f'<link href="{script.group(1)}{FA_CSS}" rel="stylesheet" />\n'
        first = _FIRST_STYLESHEET.search(html)  # before the theme's CSS, where the script put it
        html = html[: first.start()] + link + html[first.start() :]
    counter, unknown = [0], []

    def icon(match):
        svg = _svg(match.group(2), packs, counter)
        if svg is None:
            unknown.append(match.group(0))
            return match.group(0)
        return svg

    html = _ICON_ELEMENT.sub(icon, html)
    viewports = list(_VIEWPORT.finditer(html))
    for extra in reversed(viewports[1:]):
        html = html[: extra.start()] + html[extra.end() :]
    if is_search_page:
        # Deferred, in order: searchtools.js queues the query until searchindex.js has run.
        html = _SEARCH_SCRIPT.sub(lambda m: m.group(0).replace("<script ", "<script defer "), html)
    else:
        html = _SEARCH_SCRIPT.sub("", html)
    return html, unknown


def _on_build_finished(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    fontawesome_js = outdir / "_static" / "scripts" / "fontawesome.js"
    packs = read_icons(fontawesome_js)
    (outdir / "_static" / FA_CSS).write_text(read_icon_css(fontawesome_js), "utf-8")
    search_page = outdir / f"search{app.builder.out_suffix}"
    for page in sorted(outdir.rglob(f"*{app.builder.out_suffix}")):
        if page.parts[len(outdir.parts)] == "_static":
            continue
        html = page.read_text("utf-8")
        new, unknown = rewrite_page(html, packs, page == search_page)
        for element in unknown:
            logger.warning("light_pages: no Font Awesome icon for %s in %s", element, page)
        if new != html:
            page.write_text(new, "utf-8")


def _on_page_context(app, pagename, templatename, context, doctree):
    metatags = context.get("metatags", "")
    context["metatags"] = _VIEWPORT.sub("", metatags)
    body = context.get("body", "")
    unused = {"sphinx-thebe.css"}
    if 'class="sd-' not in body:
        unused |= {"sphinx-design.min.css", "design-tabs.js"}
    for key in ("css_files", "script_files"):
        files = context.get(key)
        if files is not None:
            files[:] = [f for f in files if _basename(f) not in unused]


def _basename(asset):
    name = getattr(asset, "filename", None) or str(asset)
    return name.split("?")[0].rsplit("/", 1)[-1]


# ----- Doctree: unique ids ---------------------------------------------------------------------


def _on_doctree_resolved(app, doctree, docname):
    for node in doctree.findall(nodes.Element):
        ids = node.get("ids")
        if not ids:
            continue
        if "proof" in ids and "proof" in node["classes"]:
            ids.remove("proof")
            node["classes"].append("proof-body")
        node["ids"] = [i for i in ids if i not in DUPLICATE_IDS]


# ----- The Proof Index -------------------------------------------------------------------------


def _plural(word):
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


class NamedProofIndex(ProofIndex):
    """Each theorem, definition, ... by its number and title, grouped by kind, in book order."""

    def generate(self, docnames=None):
        env = self.domain.env
        title_format = env.config.proof_title_format
        before, _, after = title_format.partition("%t")
        groups = defaultdict(list)
        for label, values in getattr(env, "proof_list", {}).items():
            docname, kind = values["docname"], values["realtype"]
            if docnames and docname not in docnames:
                continue
            number = env.toc_fignumbers.get(docname, {}).get(values["countertype"], {})
            number = number.get(label, ())
            title = _title(env, docname, label, before.strip(), after.strip())
            name = kind.title() + (" " + ".".join(map(str, number)) if number else "")
            entry = (name, 0, docname, label, "", "", title)
            groups[_plural(kind.title())].append((number or (10**6,), title, entry))
        content = [
            (group, [entry for _, _, entry in sorted(rows)])
            for group, rows in sorted(groups.items())
        ]
        return content, True


def _title(env, docname, label, before, after):
    """The title a directive was given (without the theme's "(...)" around it), or ""."""
    for node in env.get_doctree(docname).findall(nodes.Element):
        if label in node.get("ids", ()) and node.children:
            if isinstance(node[0], nodes.title):
                text = node[0].astext().strip()
                if before and text.startswith(before):
                    text = text[len(before) :]
                if after and text.endswith(after):
                    text = text[: -len(after)]
                return text.strip()
    return ""


class NamedProofDomain(ProofDomain):
    indices = [NamedProofIndex]


def _on_config_inited(app, config):
    if str(STATIC) not in config.html_static_path:
        config.html_static_path.append(str(STATIC))


def setup(app):
    app.setup_extension("sphinx_proof")
    app.connect("config-inited", _on_config_inited)
    app.add_domain(NamedProofDomain, override=True)
    app.add_css_file("light_pages.css")
    app.connect("doctree-resolved", _on_doctree_resolved)
    app.connect("html-page-context", _on_page_context)
    app.connect("build-finished", _on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
