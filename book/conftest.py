"""nbval runs the pages on a second draw of their random data.

A page shows the run its seeds give, and the website is built from exactly that run. A sentence
about how a method behaves has to hold on other draws as well, so `make test` executes every
page in nbval with each literal seed in its code (``random_state=0``, ``seed=15``,
``default_rng(3)``, ``RandomState(3)``, ``np.random.seed(3)``, a homework's ``VARIANT_SEED = 0``)
shifted by ``--seed-offset``. The notebooks themselves keep the seeds a reader sees; only the
source sent to nbval's kernel changes. ``make robustness`` runs the pages under several offsets
(tools/robustness.py).
"""

import re

# A literal integer seed: a keyword argument, or the first positional argument of a generator.
SEED = re.compile(
    r"(?P<head>\b(?:random_state|seed|VARIANT_SEED)\s*=\s*|\bdefault_rng\(\s*|\bRandomState\(\s*"
    r"|\bnp\.random\.seed\(\s*)(?P<value>\d+)\b(?!\s*\.)"
)


def shift_seeds(source, offset):
    """The code with every literal seed raised by `offset`, and the number of seeds changed."""
    if offset == 0:
        return source, len(SEED.findall(source))
    return SEED.subn(lambda m: f"{m['head']}{int(m['value']) + offset}", source)


def pytest_addoption(parser):
    parser.addoption(
        "--seed-offset",
        type=int,
        default=0,
        help="add this to every literal seed in the notebooks' code before nbval runs it",
    )


def pytest_collection_modifyitems(config, items):
    offset = config.getoption("--seed-offset")
    if not offset:
        return
    for item in items:
        cell = getattr(item, "cell", None)  # nbval's IPyNbCell items carry the notebook cell
        if cell is not None and cell.get("cell_type") == "code":
            cell.source, _ = shift_seeds(cell.source, offset)


def pytest_report_header(config):
    offset = config.getoption("--seed-offset")
    if offset:
        return f"notebook seeds shifted by {offset} (book/conftest.py)"
    return None
