"""What an import brings in, seen from a fresh interpreter (the test process has imported
everything already). Used by the import tests of tests/library, tests/book and tests/grader."""

import json
import subprocess
import sys


def modules_after(code, top_level=True):
    """The names in ``sys.modules`` after ``code`` runs in a fresh interpreter: top-level names
    only (``numpy``, not ``numpy.linalg``) unless ``top_level`` is false."""
    names = "{m.split('.')[0] for m in sys.modules}" if top_level else "set(sys.modules)"
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted({names})))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return set(json.loads(done.stdout.splitlines()[-1]))


def modules_after_walking(package, at_least, top_level=True):
    """``modules_after`` importing ``package`` and every module under it (at least ``at_least``
    of them, so that a walk that found nothing cannot pass), except ``__main__``, which runs the
    command line when imported."""
    return modules_after(
        "import importlib, pkgutil\n"
        f"import {package}\n"
        f"walked = [m.name for m in pkgutil.walk_packages({package}.__path__, '{package}.')]\n"
        "walked = [name for name in walked if not name.endswith('.__main__')]\n"
        "for name in walked:\n"
        "    importlib.import_module(name)\n"
        f"assert len(walked) >= {at_least}, walked\n",
        top_level,
    )


def forbidden(names, rules):
    """The names that one of ``rules`` matches (a rule ending in "*" matches every name it
    starts)."""
    return sorted(
        n for n in names for r in rules if (n.startswith(r[:-1]) if r.endswith("*") else n == r)
    )
