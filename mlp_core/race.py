"""An optimizer race: several optimizers train copies of one network from one start.

Every racer (an optimizer with its own learning rate and parameters) trains the
same architecture from the same initial parameter vector on the same data for the
same epochs, with a ``Trainer`` each, so any difference is the optimizer's doing.
A lane records what the race page draws: the path through weight space (the
trainer's snapshots, up to ``training.MAX_SNAPSHOTS`` log-spaced points, so early
epochs, where paths move most, get the most points), the loss at each path point,
the per-epoch loss curve, per-layer gradient norms along the path, and the first
epoch at which the loss reached the target. ``race_epochs`` bounds the work so a
race suits a shared server.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from ._validate import check_float, check_int
from .landscape import (
    LINE_ALPHAS,
    Landscape,
    grid_resolution,
    landscape,
    landscape_rows,
    line_losses,
    losses_at,
    macs_per_row,
    weight_plane,
)
from .network import Network
from .optimizers import OPTIMIZER_LABELS, OPTIMIZER_PARAMS
from .reference import backprop
from .training import MAX_TARGET_LOSS, Divergence, TrainConfig, Trainer, downsample_indices

MIN_RACERS, MAX_RACERS = 2, 5
MAX_RACE_EPOCHS = 50_000
# Multiply-adds of forward passes one race may spend (epochs x rows x multiply-adds per
# row, summed over racers; a backward pass costs about two more): about a second of one
# core, so a classroom of 40 on 2 cores can race in turn.
MAX_RACE_WORK = 400_000_000
# Multiply-adds of the forward passes the gradient norms of one lane may spend
# (points x rows x multiply-adds per row; each backprop costs about three times that).
MAX_GRADIENT_WORK = 50_000_000
# Floats of path points a race keeps (points x parameters, over every lane): 32 MB,
# so a wide network's race, kept in a session, does not crowd a classroom's server.
MAX_PATH_FLOATS = 4_000_000
# Per-epoch loss points kept for a lane's loss curve.
CURVE_POINTS = 1000
# How each optimizer parameter reads in a racer's label.
PARAM_SYMBOLS = {"momentum": "μ", "beta1": "β1", "beta2": "β2", "alpha": "α", "eps": "ε"}


@dataclass(frozen=True)
class Racer:
    """One optimizer in the race: its name, learning rate and own parameters.

    ``optimizer`` is one of ``optimizers.OPTIMIZERS``; the other fields are the
    ``TrainConfig`` fields of the same names (``OPTIMIZER_PARAMS`` says which one
    an optimizer reads), validated as there.
    """

    optimizer: str
    lr: float
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    alpha: float = 0.99
    eps: float = 1e-8

    def __post_init__(self):
        checked = self.config(TrainConfig(), 1)   # one sentence per bad value
        for name in ("lr", "momentum", "beta1", "beta2", "alpha", "eps"):
            object.__setattr__(self, name, getattr(checked, name))

    def config(self, base: TrainConfig, epochs: int) -> TrainConfig:
        """``base`` (loss, regularization) trained by this racer for ``epochs`` epochs.

        Early stopping is off (every racer runs the same epochs) and the rate constant.
        """
        return replace(base, lr=self.lr, epochs=epochs, optimizer=self.optimizer,
                       momentum=self.momentum, beta1=self.beta1, beta2=self.beta2,
                       alpha=self.alpha, eps=self.eps, schedule="constant", patience=0,
                       target_loss=0.0)

    @property
    def label(self) -> str:
        """E.g. ``"Adam, lr 0.05"``; parameters away from their defaults are named too."""
        defaults = Racer.__dataclass_fields__
        extra = [f"{PARAM_SYMBOLS[p]} {getattr(self, p):g}"
                 for p in OPTIMIZER_PARAMS[self.optimizer]
                 if getattr(self, p) != defaults[p].default]
        name = OPTIMIZER_LABELS[self.optimizer].replace("Gradient descent (SGD)",
                                                        "Gradient descent")
        return ", ".join([name, f"lr {self.lr:g}", *extra])


@dataclass
class Lane:
    """One racer's run.

    Attributes
    ----------
    racer : Racer
    label : str
        ``racer.label``, numbered when two racers share one.
    epochs : ndarray of shape (K,), int
        Epochs of the path points (0 first, the last epoch run last).
    params : ndarray of shape (K, p)
        The parameter vector at each of them: the path.
    losses : ndarray of shape (K,)
        The data loss at each path point.
    grad_epochs : ndarray of shape (G,), int
        The path epochs where gradient norms were measured: every one, or for big
        networks and data an even pick of ``gradient_points`` of them (first and last kept).
    grad_norms : ndarray of shape (G, L)
        Full-batch gradient norm of each weight matrix (layer 1 first) at those epochs.
    curve_epochs, curve_losses : ndarray of shape (C,)
        The per-epoch training loss, ``C <= CURVE_POINTS`` points (epoch 0 = the start).
    reached : int or None
        Epochs run when the loss was first at or below the race's target (None: never).
    diverged : Divergence or None
    net : Network
        The trained network.
    """

    racer: Racer
    label: str
    epochs: np.ndarray
    params: np.ndarray
    losses: np.ndarray
    grad_epochs: np.ndarray
    grad_norms: np.ndarray
    curve_epochs: np.ndarray
    curve_losses: np.ndarray
    reached: int | None
    diverged: Divergence | None
    net: Network = field(repr=False)

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1])


@dataclass
class RaceResult:
    """Every lane of a race, its start, and the target they raced to."""

    lanes: list[Lane]
    start: np.ndarray
    target_loss: float
    epochs: int
    loss: str

    def winners(self) -> list[Lane]:
        """The lanes that reached the target first (several on a tie; none if none did)."""
        times = [lane.reached for lane in self.lanes if lane.reached is not None]
        if not times:
            return []
        return [lane for lane in self.lanes if lane.reached == min(times)]

    def verdict(self) -> str:
        """Who reached the target first, in one sentence."""
        target = f"loss {self.target_loss:g}"
        winners = self.winners()
        if not winners:
            return f"No optimizer reached {target} in {self.epochs:,} epochs."
        names = " and ".join(lane.label for lane in winners)
        verb = "reach" if len(winners) > 1 else "reaches"
        first = f"{names} {verb} {target} first, after {winners[0].reached:,} epochs"
        others = [f"{lane.label} after {lane.reached:,}" for lane in self.lanes
                  if lane.reached is not None and lane not in winners]
        never = [lane.label for lane in self.lanes if lane.reached is None]
        tail = []
        if others:
            tail.append("; ".join(others))
        if never:
            tail.append(f"{' and '.join(never)} not within {self.epochs:,} epochs")
        return first + (" (" + "; ".join(tail) + ")." if tail else ".")


def against_gradient_descent(result: RaceResult) -> str | None:
    """How many times fewer epochs each other racer needed than plain gradient descent
    (the first ``sgd`` lane), in one sentence; None without a gradient-descent lane that
    reached the target, or nobody else that did."""
    base = next((lane for lane in result.lanes if lane.racer.optimizer == "sgd"), None)
    if base is None or not base.reached:
        return None
    parts = [f"{lane.label}: {base.reached / max(lane.reached, 1):.3g}x fewer"
             if lane.reached <= base.reached else
             f"{lane.label}: {lane.reached / base.reached:.3g}x more"
             for lane in result.lanes if lane is not base and lane.reached is not None]
    if not parts:
        return None
    return (f"Epochs to loss {result.target_loss:g}, against {base.label}. "
            + "; ".join(parts) + ".")


def race_epochs(net: Network, n_rows: int, n_racers: int, wanted: int) -> int:
    """``wanted`` epochs, cut to ``MAX_RACE_EPOCHS`` and to ``MAX_RACE_WORK`` for ``n_racers``
    racers on ``n_rows`` rows (at least 1)."""
    per_epoch = max(1, n_rows * macs_per_row(net) * n_racers)
    return int(max(1, min(wanted, MAX_RACE_EPOCHS, MAX_RACE_WORK // per_epoch)))


def reached_epoch(losses: np.ndarray, final_loss: float, target: float) -> int | None:
    """Epochs run when the loss was first ``<= target``.

    ``losses[k]`` is the loss after ``k`` epochs (the trainer's per-epoch loss,
    measured before that epoch's update); ``final_loss`` is the loss after all
    ``len(losses)`` of them.
    """
    hits = np.flatnonzero(np.asarray(losses) <= target)
    if hits.size:
        return int(hits[0])
    return len(losses) if final_loss <= target else None


def gradient_norms(net: Network, X: np.ndarray, y: np.ndarray, loss: str,
                   params: np.ndarray) -> np.ndarray:
    """Full-batch gradient norm per weight matrix at each parameter vector.

    The same numbers as opt-ui's ``gradnorms.gradient_norms`` (the data loss's
    gradient by the reference backprop, no regularization term, before any
    optimizer rescales it), for many parameter vectors.

    Parameters
    ----------
    net : Network (its architecture)
    X : ndarray of shape (n, n_in)
    y : ndarray, labels or targets as ``net.encode_targets`` takes them
    loss : str
    params : ndarray of shape (K, p)

    Returns
    -------
    ndarray of shape (K, L), L = number of weight matrices
        ``||dE/dW_l||`` (Frobenius), input layer first.
    """
    out = np.empty((len(params), len(net.layer_shapes)))
    for i, theta in enumerate(params):
        trace = backprop(net.with_params(theta), X, y, loss)
        out[i] = [np.sqrt(np.sum(g * g)) for g in trace.weight_gradients]
    return out


def spread(n_points: int, count: int) -> np.ndarray:
    """``count`` indices of ``n_points`` evenly spread, the first and last among them
    (all of them when ``count >= n_points``; at least 2, or 1 of 1)."""
    count = int(max(2, min(n_points, count)))
    return np.unique(np.round(np.linspace(0, n_points - 1, count)).astype(np.int64))


def gradient_points(net: Network, n_rows: int, n_points: int) -> np.ndarray:
    """Indices of the path points whose gradient norms a lane measures: all ``n_points``, or
    as many as ``MAX_GRADIENT_WORK`` allows, evenly spread (at least the first and last)."""
    return spread(n_points, MAX_GRADIENT_WORK // max(1, n_rows * macs_per_row(net)))


def path_points(net: Network, n_racers: int, n_points: int) -> np.ndarray:
    """Indices of the snapshots a lane keeps as its path: all ``n_points``, or an even pick
    that keeps a race within ``MAX_PATH_FLOATS``."""
    return spread(n_points, MAX_PATH_FLOATS // (net.n_params * n_racers))


def run_race(start: Network, X: np.ndarray, y: np.ndarray, base: TrainConfig,
             racers: list[Racer], epochs: int, target_loss: float,
             progress: Callable[[int, float], None] | None = None) -> RaceResult:
    """Train a copy of ``start`` with each racer; return every lane.

    Parameters
    ----------
    start : Network
        The shared start; not changed.
    X : ndarray of shape (n, n_in)
    y : ndarray of shape (n,) or (n, k)
        Training data.
    base : TrainConfig
        Loss, regularization and seed; each racer sets its optimizer and rate.
    racers : list of Racer, ``MIN_RACERS`` to ``MAX_RACERS`` of them
    epochs : int
        Epochs each racer trains (the caller bounds them with ``race_epochs``).
    target_loss : float, > 0
        The loss the race is to.
    progress : callable, optional
        Called as ``progress(lane_index, share_of_its_epochs_done)`` between chunks.
    """
    if not MIN_RACERS <= len(racers) <= MAX_RACERS:
        raise ValueError(f"a race needs {MIN_RACERS} to {MAX_RACERS} optimizers, "
                         f"got {len(racers)}")
    epochs = check_int("epochs", epochs, 1, MAX_RACE_EPOCHS)
    target_loss = check_float("target loss", target_loss, 0.0, MAX_TARGET_LOSS, lo_open=True)
    labels = _unique([r.label for r in racers])
    lanes = []
    for i, (racer, label) in enumerate(zip(racers, labels)):
        trainer = Trainer(start.copy(), X, y, racer.config(base, epochs))
        callback = None
        if progress is not None:
            def callback(p, i=i):
                progress(i, p.epoch / max(1, p.target))
        trainer.train(callback=callback)
        lanes.append(_lane(racer, label, trainer, target_loss, len(racers)))
    return RaceResult(lanes, start.params.copy(), target_loss, epochs, base.loss)


def _lane(racer: Racer, label: str, trainer: Trainer, target: float, n_racers: int) -> Lane:
    net = trainer.net
    kept = path_points(net, n_racers, len(trainer.snapshot_params))
    points = np.array([trainer.snapshot_params[i] for i in kept])
    epochs = np.array(trainer.snapshot_epochs, dtype=np.int64)[kept]
    per_epoch = trainer.losses.copy()
    losses = _path_losses(trainer, points, epochs, per_epoch)
    idx = downsample_indices(len(per_epoch), CURVE_POINTS)
    # per_epoch[k] is the loss after k epochs; the final vector's loss closes the curve
    curve_epochs = np.append(idx, trainer.epoch)
    curve_losses = np.append(per_epoch[idx], losses[-1])
    picked = gradient_points(net, len(trainer.X), len(points))
    return Lane(racer, label, epochs, points, losses, epochs[picked],
                gradient_norms(net, trainer.X, trainer.y, trainer.config.loss, points[picked]),
                curve_epochs, curve_losses, reached_epoch(per_epoch, losses[-1], target),
                trainer.diverged, net)


def race_landscape(result: RaceResult, net: Network, X: np.ndarray, Y: np.ndarray,
                   seed: int = 0) -> Landscape:
    """The loss on one plane through every lane's path (``landscape.weight_plane``).

    Lanes that diverged are left out of the plane and the window when any lane
    did not: their far-flung points would squeeze every other path into a dot (they
    are still drawn, clipped to the window). The grid's resolution is bounded by
    ``landscape.grid_resolution``; where even its smallest grid would cost too much,
    the loss is measured on a random sample of ``landscape_rows`` rows (the sum of
    squares scaled up to all rows, so it reads as the curves' loss does).
    """
    rng = np.random.default_rng(seed)
    kept = [lane for lane in result.lanes if lane.diverged is None] or result.lanes
    points = np.vstack([lane.params for lane in kept])
    plane = weight_plane(net, result.start, points, rng)
    m = landscape_rows(net, len(X))
    if m < len(X):
        rows = np.sort(rng.choice(len(X), m, replace=False))
        land = landscape(net, X[rows], Y[rows], result.loss, plane, points,
                         grid_resolution(net, m))
        if result.loss == "sse":
            land = replace(land, loss=land.loss * (len(X) / m))
        return land
    return landscape(net, X, Y, result.loss, plane, points, grid_resolution(net, len(X)))


def race_lines(result: RaceResult, net: Network, X: np.ndarray,
               Y: np.ndarray) -> dict[str, np.ndarray]:
    """Lane label -> the loss at ``landscape.LINE_ALPHAS`` on the line from the start to
    its final vector."""
    return {lane.label: line_losses(net, X, Y, result.loss, result.start, lane.params[-1],
                                    LINE_ALPHAS)
            for lane in result.lanes}


def _path_losses(trainer: Trainer, points: np.ndarray, epochs: np.ndarray,
                 per_epoch: np.ndarray) -> np.ndarray:
    """The loss at each path point.

    With full batches the kernel already measured it: ``per_epoch[e]`` is the loss of
    the parameters after ``e`` epochs (before that epoch's update), to 1e-9 of the
    reference path. Only the points past the last measured epoch (the final vector),
    or every point for mini-batches (whose epoch loss is a mean over changing
    parameters), are evaluated here.
    """
    batch = trainer.config.batch_size
    known = epochs < len(per_epoch) if batch is None or batch >= len(trainer.X) else \
        np.zeros(len(epochs), dtype=bool)
    losses = np.empty(len(points))
    losses[known] = per_epoch[epochs[known]]
    if not known.all():
        losses[~known] = losses_at(trainer.net, trainer.X, trainer.Y, trainer.config.loss,
                                   points[~known])
    return losses


def _unique(labels: list[str]) -> list[str]:
    """``labels`` with a repeated one numbered: ``"Adam, lr 0.1 (2)"``."""
    out = []
    for i, label in enumerate(labels):
        n = labels[:i].count(label)
        out.append(f"{label} ({n + 1})" if n else label)
    return out
