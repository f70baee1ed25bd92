"""Point every notebook's setup cell at the repository named in _config.yml.

A notebook opened on its own in a cloud notebook service installs the library
from ``repository.url``; run ``make set-repository`` after changing that URL
(for a fork). tests/test_hygiene.py fails while any notebook disagrees.
"""

import re
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
INSTALL = re.compile(r'(%pip install --quiet "logreg @ git\+)([^"]+)(")')


def main():
    url = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]["url"]
    for path in sorted((ROOT / "book").rglob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        changed = False
        for cell in nb.cells:
            if cell.cell_type == "code" and INSTALL.search(cell.source):
                new = INSTALL.sub(lambda m: m.group(1) + url + m.group(3), cell.source)
                changed |= new != cell.source
                cell.source = new
        if changed:
            nbformat.write(nb, path)
            print(f"updated {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
