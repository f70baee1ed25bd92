"""Widget latency: the time from a control's new value to a finished redraw.

Run with ``python benchmarks/widget_latency.py``. Each demo is driven as a user
would drive it, by setting its control's ``value``; the observer redraws the
figure (Agg) and encodes the PNG the notebook shows. The median over repeated
moves is printed with the target. A benchmark, not a test: the machine's load
moves the figures.
"""

import os
import statistics
import sys
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np

from logreg import SoftmaxRegression, datasets
from logreg_book import widgets


def demos():
    rng = np.random.default_rng(0)
    x1 = np.r_[rng.normal(-0.5, 2, 40), rng.normal(0.5, 2, 40)][:, None]
    y1 = np.repeat([0, 1], 40)
    X, y = datasets.make_blobs(40, 3, spread=1.3)
    model = SoftmaxRegression(alpha=1e-2).fit(X, y)
    sweep = list(np.linspace(-3, 3, 13))
    yield "1. sigmoid, 1-D (w)", widgets.sigmoid_widget(x1, y1), "w", sweep, 50
    yield (
        "1. sigmoid, 2-D (w1)",
        widgets.sigmoid_widget(X[y < 2], y[y < 2], w=[1, 1]),
        "w1",
        sweep,
        50,
    )
    yield (
        "2. temperature (T)",
        widgets.temperature_widget(),
        "temperature",
        list(np.geomspace(1e-3, 100, 13)),
        50,
    )
    yield (
        "3. shift-invariance (u1)",
        widgets.shift_widget(X, y, model.coef_, model.intercept_),
        "u1",
        sweep,
        50,
    )
    yield "4. softmax vs sigmoid (w1)", widgets.softmax_sigmoid_widget(), "w1", sweep, 50
    yield (
        "6. loss landscape (lr)",
        widgets.landscape_widget(x1[:, 0], y1),
        "lr",
        list(np.geomspace(0.1, 30, 13)),
        50,
    )
    for name in ("blobs, K=3", "iris (petals)"):
        demo = widgets.training_widget(dataset=name, n_iter=60)
        yield f"5. training, {name} (replay)", demo, "iteration", list(range(5, 61, 5)), 100


def main():
    print(
        f"cores: {os.cpu_count()}, Python {sys.version.split()[0]}, "
        f"matplotlib {matplotlib.__version__}"
    )
    print(f"{'demo':38} {'median':>9} {'max':>9}  target")
    for name, demo, control, values, target in demos():
        times = []
        for _ in range(3):
            for value in values:
                start = time.perf_counter()
                demo.controls[control].value = value
                times.append(time.perf_counter() - start)
        median = statistics.median(times) * 1e3
        verdict = "ok" if median <= target else "MISSED"
        print(f"{name:38} {median:7.1f}ms {max(times) * 1e3:7.1f}ms  <= {target} ms ({verdict})")
    demo = widgets.training_widget(n_iter=60)
    start = time.perf_counter()
    demo.controls["lr"].value = 0.2
    print(
        f"{'5. training: new lr (retrain + draw)':38} {(time.perf_counter() - start) * 1e3:7.1f}ms"
        f" {'':>9}  (no target; cached afterwards)"
    )


if __name__ == "__main__":
    main()
