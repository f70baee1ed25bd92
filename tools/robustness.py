"""Run every page under several seed offsets and print which ones fail, and where.

    .venv/bin/python tools/robustness.py --offsets 1,2,3,4,5 [--jobs 2] [book/practice ...]

Each offset is one nbval run of the pages (``pytest --nbval-lax --seed-offset=N``, the same
collection hook `make test` uses, book/conftest.py), so a page passes here exactly when it would
pass `make test` with that offset. The table lists, for every page and offset, the first code
cell that failed (nbval's count, "ok" if none), then the failing line and error of each
failure; the exit code is 1 if any page failed.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CELL = re.compile(r"Cell (\d+)$")
ANSI = re.compile(r"(?:\x1b|#x1B)\[[0-9;]*m")
ARROW = re.compile(r"-+>\s*(?P<line>\d+)\s+(?P<code>.*)")


def describe(report):
    """'line N: <code> (ErrorType)' for the failing line of an nbval cell report."""
    text = ANSI.sub("", report)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    where = next((m for m in map(ARROW.match, lines) if m), None)
    error = next(
        (line for line in reversed(lines) if re.match(r"\w+(Error|Exception|Warning)\b", line)),
        lines[-1] if lines else "?",
    )
    if where:
        return f"line {where['line']}: {where['code'][:80]} ({error.split(':')[0]})"
    return error


def run_offset(offset, paths, workdir):
    """Run nbval on `paths` with seeds shifted by `offset`; {page: (cell, message) or None}."""
    report = Path(workdir) / f"offset-{offset}.xml"
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    command = [
        sys.executable,
        "-m",
        "pytest",
        "--nbval-lax",
        "-p",
        "no:cacheprovider",
        "-q",
        "-W",
        "default",
        f"--seed-offset={offset}",
        f"--junitxml={report}",
        *paths,
    ]
    subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=False)
    if not report.exists():
        raise SystemExit(
            f"offset {offset}: pytest wrote no report; run the command by hand:\n"
            + " ".join(command)
        )
    results = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        page = re.sub(r"\.ipynb$", "", case.get("classname", "")).replace(".", "/")
        results.setdefault(page, None)
        problem = case.find("failure") if case.find("failure") is not None else case.find("error")
        if problem is None or results[page] is not None:
            continue
        cell = CELL.search(case.get("name", ""))
        results[page] = (int(cell.group(1)) if cell else -1, describe(problem.text or ""))
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offsets", default="1,2,3,4,5", help="comma-separated seed offsets")
    parser.add_argument("--jobs", type=int, default=2, help="offsets run side by side")
    parser.add_argument("paths", nargs="*", default=["book"], help="pages or folders (book/)")
    args = parser.parse_args(argv)
    offsets = [int(value) for value in args.offsets.split(",") if value.strip()]
    with tempfile.TemporaryDirectory() as workdir, ThreadPoolExecutor(args.jobs) as pool:
        runs = dict(
            zip(
                offsets,
                pool.map(lambda o: run_offset(o, args.paths, workdir), offsets),
                strict=True,
            )
        )
    pages = sorted({page for results in runs.values() for page in results})
    width = max([len(page) for page in pages] + [4])
    # One row per page, one column per offset: "ok", or the code cell (nbval's count) that failed.
    print(f"{'page':<{width}}  " + "  ".join(f"{f'+{o}':>6}" for o in offsets))
    failures = []
    for page in pages:
        marks = []
        for offset in offsets:
            outcome = runs[offset].get(page)
            marks.append("ok" if outcome is None else f"cell {outcome[0]}")
            if outcome is not None:
                failures.append((page, offset, *outcome))
        print(f"{page:<{width}}  " + "  ".join(f"{mark:>6}" for mark in marks))
    for page, offset, cell, error in failures:
        print(f"{page} +{offset}: code cell {cell}, {error}")
    total = len(pages) * len(offsets)
    passed = total - len(failures)
    print(f"{passed} of {total} page runs passed ({len(pages)} pages x offsets {offsets})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
