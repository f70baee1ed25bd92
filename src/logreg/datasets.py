"""Small data sets for the demos, generated from a seed (nothing is downloaded)."""

import numpy as np

__all__ = ["load_iris_2d", "make_blobs", "make_moons"]


def make_blobs(n_per_class=50, n_classes=3, spread=1.0, random_state=0):
    """Gaussian blobs in the plane, centres evenly spaced on a circle of radius 3.

    Parameters
    ----------
    n_per_class : int >= 1
    n_classes : int >= 2
    spread : float > 0
        Standard deviation of each blob.
    random_state : int or None

    Returns
    -------
    X : ndarray of shape (n_per_class * n_classes, 2)
    y : ndarray of shape (n_per_class * n_classes,), labels 0 .. n_classes - 1
    """
    if int(n_classes) != n_classes or n_classes < 2:
        raise ValueError(f"n_classes must be an int >= 2; received {n_classes!r}")
    if int(n_per_class) != n_per_class or n_per_class < 1:
        raise ValueError(f"n_per_class must be an int >= 1; received {n_per_class!r}")
    if not spread > 0:
        raise ValueError(f"spread must be > 0; received {spread!r}")
    rng = np.random.default_rng(random_state)
    angles = 2 * np.pi * np.arange(n_classes) / n_classes
    centres = 3.0 * np.column_stack([np.cos(angles), np.sin(angles)])
    X = np.vstack([c + spread * rng.standard_normal((n_per_class, 2)) for c in centres])
    return X, np.repeat(np.arange(n_classes), n_per_class)


def make_moons(n_samples=200, noise=0.15, random_state=0):
    """Two interleaving half circles: a set no linear classifier separates.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,), labels 0 and 1
    """
    if int(n_samples) != n_samples or n_samples < 2:
        raise ValueError(f"n_samples must be an int >= 2; received {n_samples!r}")
    if noise < 0:
        raise ValueError(f"noise must be >= 0; received {noise!r}")
    rng = np.random.default_rng(random_state)
    n_top = n_samples // 2
    t_top = np.linspace(0, np.pi, n_top)
    t_bottom = np.linspace(0, np.pi, n_samples - n_top)
    top = np.column_stack([np.cos(t_top), np.sin(t_top)])
    bottom = np.column_stack([1 - np.cos(t_bottom), 0.5 - np.sin(t_bottom)])
    X = np.vstack([top, bottom]) + noise * rng.standard_normal((n_samples, 2))
    return X, np.repeat([0, 1], [n_top, n_samples - n_top])


def load_iris_2d():
    """Petal length and width of scikit-learn's bundled iris data, standardized.

    Returns
    -------
    X : ndarray of shape (150, 2)
    y : ndarray of shape (150,), labels 0, 1, 2
    """
    from sklearn.datasets import load_iris  # bundled with scikit-learn, no download

    X, y = load_iris(return_X_y=True)
    X = X[:, 2:4]
    return (X - X.mean(axis=0)) / X.std(axis=0), y
