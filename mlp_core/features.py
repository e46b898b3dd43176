"""Input features of a point ``(x1, x2)`` in the plane: TensorFlow Playground's seven.

A network with features takes the plane's points and first maps each through the
chosen functions; its input layer has one unit per feature. With ``x1sq`` and ``x2sq``
a circle's boundary ``x1² + x2² = r²`` is a straight line in feature space, which a
network with no hidden layer draws.

``FEATURES`` is the one table: the order of its keys is the canonical order of a
feature list (links, model files and the standalone script all use it), and
``FEATURE_CODE`` is each function as the standalone script writes it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

FEATURES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1sq": lambda x1, x2: x1 * x1,
    "x2sq": lambda x1, x2: x2 * x2,
    "x1x2": lambda x1, x2: x1 * x2,
    "sinx1": lambda x1, x2: np.sin(x1),
    "sinx2": lambda x1, x2: np.sin(x2),
}
FEATURE_LABELS = {"x1": "x1", "x2": "x2", "x1sq": "x1²", "x2sq": "x2²", "x1x2": "x1·x2",
                  "sinx1": "sin(x1)", "sinx2": "sin(x2)"}
# The same arithmetic as FEATURES, as NumPy source for the standalone script.
FEATURE_CODE = {"x1": "x1", "x2": "x2", "x1sq": "x1 * x1", "x2sq": "x2 * x2",
                "x1x2": "x1 * x2", "sinx1": "np.sin(x1)", "sinx2": "np.sin(x2)"}
PLANE = ("x1", "x2")     # the point itself: no map at all


def canonical(names: Iterable[str]) -> tuple[str, ...]:
    """``names`` without repeats, in ``FEATURES``' order; ``ValueError`` names an unknown one
    or an empty list."""
    given = [str(n).strip() for n in names]
    unknown = [n for n in given if n not in FEATURES]
    if unknown:
        raise ValueError(f"unknown input feature {unknown[0]!r}; the input features are "
                         f"{', '.join(FEATURES)}")
    if not given:
        raise ValueError(f"choose at least one input feature of {', '.join(FEATURES)}")
    return tuple(n for n in FEATURES if n in given)


def parse_features(text: str) -> tuple[str, ...]:
    """``"x2sq,x1sq"`` -> ``("x1sq", "x2sq")``: a link's or the CLI's comma-separated list."""
    return canonical(part for part in str(text).split(",") if part.strip())


def map_features(names: tuple[str, ...], X: np.ndarray) -> np.ndarray:
    """Points ``X`` of shape (n, 2) as the features ``names``: shape (n, len(names))."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"input features map points (x1, x2), shape (n, 2); got {X.shape}")
    x1, x2 = X[:, 0], X[:, 1]
    return np.ascontiguousarray(np.column_stack([FEATURES[n](x1, x2) for n in names]))
