"""Points a person draws on the plane: the data set "Draw your own".

A :class:`Drawing` is immutable: adding, removing, clearing and undoing each return
a new one that remembers the one before (``undo`` goes back through them), so the
app keeps one object in its session and never edits it in place. A drawing turns
into a :class:`Dataset` to train on (``to_dataset``; every point trains, there is
no test split: a handful of points split once more would leave too few to learn
from) and into a CSV file that the CSV upload reads back as the same points
(``to_csv``: columns ``x1,x2,label``, labels ``0..k-1``).

Points lie on a grid over ``[-EXTENT, EXTENT]`` squared (``grid_values``), the
window the generated 2-D sets are drawn in, so a click lands on round numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._base import Dataset, class_names, finished_dataset
from .csvfile import MIN_CSV_ROWS

DRAW = "draw"
"""The data set's name in settings and links (``?dataset=draw``)."""
DRAWN_NAME = "drawn points"     # the Dataset's name, as the Playground's status line says it

EXTENT = 2.0
GRID_STEPS = 41          # grid values -2.0, -1.9, ..., 2.0: a tenth apart
DRAWN_CLASSES = 4        # classes a point can have; more would crowd the class picker
# As many as the CSV upload needs, so every drawing that trains also uploads back.
MIN_DRAWN_POINTS = MIN_CSV_ROWS
MAX_DRAWN_POINTS = 200   # more is no longer drawing by hand, and slows every rerun
MAX_UNDO = 100           # drawings kept for Undo
CSV_HEADER = ("x1", "x2", "label")


def grid_values() -> np.ndarray:
    """The coordinates a point may take on either axis, shape ``(GRID_STEPS,)``.

    Rounded to a tenth so that a click's coordinates, written to a CSV file and
    read back, are the same numbers.
    """
    return np.round(np.linspace(-EXTENT, EXTENT, GRID_STEPS), 10)


def snap(value: float) -> float:
    """The grid value nearest to ``value`` (which must lie within the plane)."""
    values = grid_values()
    return float(values[np.argmin(np.abs(values - value))])


@dataclass(frozen=True)
class Point:
    x1: float
    x2: float
    label: int


@dataclass(frozen=True)
class Drawing:
    """The points drawn so far, and the drawings before them for Undo.

    Parameters
    ----------
    points : tuple of Point
        In the order they were drawn; at most one per position.
    previous : Drawing or None
        The drawing before the last change; None for a fresh one. At most
        ``MAX_UNDO`` deep.
    """

    points: tuple[Point, ...] = ()
    previous: Drawing | None = None

    # --- editing -------------------------------------------------------------------
    def add(self, x1: float, x2: float, label: int) -> Drawing:
        """This drawing with a point of class ``label`` at the grid position nearest
        ``(x1, x2)``.

        A point already there takes the new class. Raises ``ValueError`` for a
        position off the plane, a class outside ``0..DRAWN_CLASSES - 1`` or a
        drawing that already has ``MAX_DRAWN_POINTS``.
        """
        x1, x2 = float(x1), float(x2)
        if not (abs(x1) <= EXTENT and abs(x2) <= EXTENT):
            raise ValueError(f"a point must lie in [-{EXTENT:g}, {EXTENT:g}] on both axes, "
                             f"got ({x1:g}, {x2:g})")
        if isinstance(label, bool) or int(label) != label or not 0 <= label < DRAWN_CLASSES:
            raise ValueError(f"label must be a class 0 to {DRAWN_CLASSES - 1}, got {label!r}")
        x1, x2 = snap(x1), snap(x2)
        kept = tuple(p for p in self.points if (p.x1, p.x2) != (x1, x2))
        if len(kept) >= MAX_DRAWN_POINTS:
            raise ValueError(f"a drawing holds at most {MAX_DRAWN_POINTS} points")
        return self._then((*kept, Point(x1, x2, int(label))))

    def remove(self, index: int) -> Drawing:
        """This drawing without ``points[index]``."""
        if not 0 <= index < len(self.points):
            raise ValueError(f"no point {index}: the drawing has {len(self.points)}")
        return self._then(self.points[:index] + self.points[index + 1:])

    def clear(self) -> Drawing:
        """No points (Undo brings them back)."""
        return self._then(()) if self.points else self

    def undo(self) -> Drawing:
        """The drawing before the last change (this one when there is none)."""
        return self.previous if self.previous is not None else self

    @property
    def can_undo(self) -> bool:
        return self.previous is not None

    @property
    def full(self) -> bool:
        return len(self.points) >= MAX_DRAWN_POINTS

    def _then(self, points: tuple[Point, ...]) -> Drawing:
        return Drawing(points, self._trimmed(MAX_UNDO - 1))

    def _trimmed(self, depth: int) -> Drawing | None:
        """This drawing with at most ``depth`` drawings behind it (None: depth < 0)."""
        if depth < 0:
            return None
        previous = None if self.previous is None else self.previous._trimmed(depth - 1)
        return Drawing(self.points, previous)

    # --- reading -------------------------------------------------------------------
    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """``X`` ``(n, 2)`` float64 positions and ``y`` ``(n,)`` int labels."""
        X = np.array([(p.x1, p.x2) for p in self.points], dtype=float).reshape(-1, 2)
        y = np.array([p.label for p in self.points], dtype=int)
        return X, y

    def counts(self) -> list[int]:
        """Points per class, ``[n_0, ..., n_{k-1}]`` up to the highest class drawn."""
        _, y = self.arrays()
        return np.bincount(y).tolist() if len(y) else []

    def problem(self) -> str | None:
        """Why these points cannot train yet (a sentence saying what to draw), or None."""
        counts = self.counts()
        n = len(self.points)
        drawn = [k for k, c in enumerate(counts) if c]
        if n < MIN_DRAWN_POINTS or len(drawn) < 2:
            have = ("no points yet" if n == 0 else
                    f"{n} point{'s' if n != 1 else ''} of class "
                    f"{' and '.join(str(k) for k in drawn)} so far")
            return (f"Draw at least {MIN_DRAWN_POINTS} points of at least two classes to "
                    f"train: {have}.")
        missing = [k for k, c in enumerate(counts) if not c]
        if missing:
            # Labels must number the classes without a gap (as the CSV upload asks),
            # or the network would have an output for a class nobody drew.
            return (f"No point has class {missing[0]}, but some have class {len(counts) - 1}: "
                    f"draw one of class {missing[0]} (classes are numbered without gaps).")
        return None

    def to_dataset(self) -> Dataset:
        """Every point as training data, in its own coordinates, no test rows.

        Raises ``ValueError`` with ``problem()``'s sentence when the points cannot
        train yet.
        """
        problem = self.problem()
        if problem:
            raise ValueError(problem)
        X, y = self.arrays()
        return finished_dataset(DRAWN_NAME, X, y.astype(float), np.empty((0, 2)), np.empty(0),
                                CSV_HEADER[:2], standardize=False,
                                classes=class_names(len(self.counts())))

    def to_csv(self) -> bytes:
        """The points as the CSV upload reads them: a header, then ``x1,x2,label`` rows."""
        rows = [",".join(CSV_HEADER)]
        rows += [f"{p.x1!r},{p.x2!r},{p.label}" for p in self.points]
        return ("\n".join(rows) + "\n").encode()
