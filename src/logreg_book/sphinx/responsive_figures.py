"""Local Sphinx extension: phones get each figure's narrow layout, and a figure opens full size.

A figure shown with :func:`logreg_book.responsive.show_figure` is a PNG for the desktop column
that carries, in a text chunk, the same figure laid out for the phone column. When the build has
written the pages, this extension

- writes that narrow PNG next to the wide one in ``_images`` (``<name>.narrow.png``) and strips
  it from the wide file, so a desktop reader does not download both;
- wraps each such ``<img>`` in ``<picture>`` with a ``<source>`` for windows up to
  :data:`PHONE_MEDIA` wide, with each file's ``width`` and ``height`` (the text does not jump
  when the image arrives) and its smallest text in image pixels (``data-min-text-px``, read by
  the browser test of the figures' text size);
- makes every figure image a link to its full-size PNG: a tap or click opens it on its own,
  where the reader can zoom. ``static/responsive_figures.js`` points the link at the layout the
  reader was shown (on a phone, the narrow one, which then fills the screen); without scripts it
  opens the wide one. The link's name is the image's alt text.

Working on the written files keeps myst-nb's figure, caption and alt text untouched.
"""

import base64
import html
import re
import struct
from pathlib import Path

from logreg_book.responsive import MIN_TEXT_KEY, NARROW_KEY, png_text, without_png_text

STATIC = Path(__file__).resolve().parent / "static"
PHONE_MEDIA = "(max-width: 720px)"
_IMG = re.compile(r'<img\b[^>]*?\bsrc="(?P<src>[^"]*_images/(?P<name>[^"/]+)\.png)"[^>]*>')


def _size(png):
    return struct.unpack(">II", png[16:24])


def split_images(images):
    """Write each wide PNG's narrow variant beside it; return ``{stem: (wide, narrow)}``, each a
    dict of width, height and min_text_px. Already split files (an earlier build) are read back."""
    found = {}
    for path in sorted(Path(images).glob("*.png")):
        if path.name.endswith(".narrow.png"):
            continue
        wide = path.read_bytes()
        chunks = png_text(wide)
        narrow_path = path.with_name(path.stem + ".narrow.png")
        if NARROW_KEY in chunks:
            narrow_path.write_bytes(base64.b64decode(chunks[NARROW_KEY]))
            wide = without_png_text(wide, {NARROW_KEY})
            path.write_bytes(wide)
        if MIN_TEXT_KEY not in chunks or not narrow_path.exists():
            continue
        narrow = narrow_path.read_bytes()
        found[path.stem] = tuple(
            dict(
                zip(("width", "height"), _size(png), strict=True),
                min_text_px=png_text(png)[MIN_TEXT_KEY],
            )
            for png in (wide, narrow)
        )
    return found


def _attrs(info):
    return (
        f'width="{info["width"]}" height="{info["height"]}" '
        f'data-min-text-px="{html.escape(info["min_text_px"])}"'
    )


def rewrite_page(page, variants):
    """Wrap the page's figure images in <picture> and a link; return True if it changed."""

    def replace(match):
        tag, src, name = match.group(0), match.group("src"), match.group("name")
        if name not in variants:
            return tag
        wide, narrow = variants[name]
        narrow_src = src[: -len(".png")] + ".narrow.png"
        img = tag[:-1].rstrip("/ ").rstrip() + f" {_attrs(wide)} />"
        return (
            f'<a class="logreg-figure-link" href="{src}"><picture>'
            f'<source media="{PHONE_MEDIA}" srcset="{narrow_src}" {_attrs(narrow)} />'
            f"{img}</picture></a>"
        )

    text = page.read_text(encoding="utf-8")
    new = _IMG.sub(replace, text)
    if new != text:
        page.write_text(new, encoding="utf-8")
    return new != text


def _on_build_finished(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    variants = split_images(outdir / "_images")
    if variants:
        for page in outdir.rglob("*.html"):
            rewrite_page(page, variants)


def _on_config_inited(app, config):
    if str(STATIC) not in config.html_static_path:
        config.html_static_path.append(str(STATIC))


def setup(app):
    app.connect("config-inited", _on_config_inited)
    app.connect("build-finished", _on_build_finished)
    app.add_css_file("responsive_figures.css")
    app.add_js_file("responsive_figures.js")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
