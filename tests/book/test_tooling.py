"""The contributor's tooling: a flat Makefile and pre-commit hooks that run the pinned ruff."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _targets(makefile):
    """{target: recipe lines} for the rules of a Makefile (variables and comments skipped)."""
    rules, current = {}, None
    for line in makefile.splitlines():
        if line.startswith("\t") and current is not None:
            rules[current].append(line.strip())
            continue
        match = re.match(r"^([A-Za-z$()_.-][^:=\s]*)\s*:(?!=)", line)
        current = match.group(1) if match else None
        if current is not None:
            rules[current] = []
    return rules


def test_the_makefile_is_flat_and_every_target_does_something():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "$(MAKE)" not in makefile and "make -" not in makefile, "a target calls make again"
    rules = _targets(makefile)
    phony = re.search(r"^\.PHONY:(.*)$", makefile, re.M).group(1).split()
    assert {"book", "test", "lint", "lab", "clean"} <= set(phony)
    aliases = [t for t in phony if not rules.get(t)]
    assert not aliases, f"targets with no recipe of their own: {aliases}"


def test_the_pre_commit_hooks_run_the_pinned_ruff_on_code_and_notebooks():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    assert hooks["ruff-check"]["entry"].startswith(".venv/bin/ruff check")
    assert hooks["ruff-format"]["entry"].startswith(".venv/bin/ruff format")
    for hook in hooks.values():
        assert "jupyter" in hook["types_or"] and "python" in hook["types_or"]
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"RUF100"' in pyproject and 'extend-include = ["*.ipynb"]' in pyproject
    pinned = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    assert re.search(r"^ruff==\d", pinned, re.M), "the hooks' ruff is the one pinned here"


def test_no_property_test_has_a_time_limit():
    # A busy machine must not fail a property test (tests/conftest.py loads this profile).
    from hypothesis import HealthCheck, settings

    assert settings.default.deadline is None
    assert HealthCheck.too_slow in settings.default.suppress_health_check


def test_no_two_test_files_share_a_basename():
    # The test folders are not packages, so pytest imports each file by its basename: a second
    # test_x.py anywhere under tests/ is imported as the first and its collection fails.
    seen = {}
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        seen.setdefault(path.name, []).append(path.relative_to(ROOT).as_posix())
    assert not {name: paths for name, paths in seen.items() if len(paths) > 1}
