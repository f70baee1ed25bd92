"""The repository can publish the book on GitHub Pages as it is.

The workflow cannot run here (it needs GitHub); what can be checked is that it is valid YAML,
runs the tests through the project's own entry point (.ci/run, which runs `make test`), builds
with the project's own command, and deploys the folder the build writes only when both passed.
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
    # make book prints the PDF with Debian's chromium (logreg_book.pdf), installed before it runs
    assert spec["jobs"]["build"]["container"]["image"].startswith("debian:")
    runs = [step.get("run", "") for step in build]
    assert any("chromium" in run for run in runs[: runs.index("make book")])
    upload = [s for s in build if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert upload and upload[0]["with"]["path"] == "_build/html"
    deploy = spec["jobs"]["deploy"]
    assert sorted(deploy["needs"]) == ["build", "test"]
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")


def test_workflow_runs_make_test_before_it_deploys():
    spec = yaml.safe_load(WORKFLOW.read_text())
    test = spec["jobs"]["test"]
    # Debian's chromium and bubblewrap, as .ci/run installs them; privileged for the sandbox.
    assert test["container"]["image"].startswith("debian:")
    assert "--privileged" in test["container"]["options"]
    assert [s["run"] for s in test["steps"] if "run" in s] == [".ci/run"]
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_the_build_writes_nojekyll():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert "sphinx.ext.githubpages" in config["sphinx"]["extra_extensions"]
