"""The repository can publish the book on GitHub Pages as it is.

The workflow cannot run here (it needs GitHub); what can be checked is that it is valid YAML,
builds with the project's own command, and uploads and deploys the folder the build writes.
That the build writes ``.nojekyll`` is checked on the built site (tests/browser/test_layout.py).
"""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "deploy-book.yml"


def test_workflow_builds_with_make_book_and_deploys_the_build():
    spec = yaml.safe_load(WORKFLOW.read_text())
    triggers = spec[True] if True in spec else spec["on"]  # YAML 1.1 reads a bare `on` as True
    assert triggers["push"]["branches"] == ["main"]
    assert spec["permissions"]["pages"] == "write" and spec["permissions"]["id-token"] == "write"
    build = spec["jobs"]["build"]["steps"]
    assert any(step.get("run", "").strip() == "make book" for step in build)
    upload = [s for s in build if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert upload and upload[0]["with"]["path"] == "_build/html"
    deploy = spec["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")


def test_the_build_writes_nojekyll():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert "sphinx.ext.githubpages" in config["sphinx"]["extra_extensions"]
