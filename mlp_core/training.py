"""Training runs: chunks of compiled epochs, history, snapshots and divergence.

A ``Trainer`` owns one network, one data set and one ``TrainConfig``. It runs
the compiled kernel in chunks of about ``CHUNK_SECONDS``, each passing through
many record and snapshot epochs, and calls back between chunks so a UI can
redraw or stop; since the kernel's only state is the parameter vector, the
epoch number and the optimizer's state (``opt_state``, which the Trainer keeps),
stopping and resuming gives bit-for-bit the run one call would give.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import NamedTuple

import numpy as np

from . import dense, kernel
from ._validate import MAX_SEED, check_choice, check_float, check_int
from .activations import ACTIVATION_IDS, OUTPUT_IDS
from .kernel import LOSS_NOT_FINITE, NO_IMPROVEMENT, OK, REG_IDS, TARGET_REACHED
from .losses import LOSS_IDS, LOSSES, check_loss_for_output
from .network import Network
from .optimizers import (
    BEST_EPOCH,
    BEST_LOSS,
    OPTIMIZER_IDS,
    OPTIMIZERS,
    SCHEDULE_IDS,
    SCHEDULES,
    SINCE_BEST,
    lr_at,
    new_state,
    reset_optimizer,
    set_betas,
)

MAX_EPOCHS = 1_000_000
MAX_LR = 1e6
# Past this, sigmoid and tanh units are saturated beyond use and relu nets are on
# their way to overflow: the learning rate is too high. Trained nets stay far below.
MAX_ABS_WEIGHT = 1e4
MAX_SNAPSHOTS = 200
MAX_RECORDS = 1000
# Early stopping's target training loss: any loss this project computes fits under it.
MAX_TARGET_LOSS = 1e6
# Training time per kernel call: between calls a run reports progress (and can
# be stopped), so this is how quickly Pause takes effect.
CHUNK_SECONDS = 0.01


@dataclass(frozen=True)
class TrainConfig:
    """How to train: what the tutorial calls lr, the epoch count and the error.

    ``batch_size=None`` is full-batch gradient descent (the tutorial's).
    Regularization (``reg`` "l1"/"l2" with ``reg_rate``) applies to weights,
    not biases; the recorded loss is the data loss alone. Whether ``loss`` fits
    the network's outputs is checked when a ``Trainer`` brings the two together.

    ``optimizer`` is one of ``optimizers.OPTIMIZERS`` (PyTorch's rules, see
    there): ``momentum`` is mu for momentum and nesterov, ``beta1``/``beta2``
    Adam's, ``alpha`` RMSprop's, ``eps`` both of theirs. ``schedule`` (one of
    ``optimizers.SCHEDULES``) sets each epoch's rate from ``lr`` (``lr_at``;
    ``step_size`` 0 is a quarter of ``epochs``). Early stopping: ``target_loss``
    > 0 stops after the first epoch whose training loss is at most it;
    ``patience`` > 0 (needs a test set) stops when the test loss has not gone
    strictly lower for that many epochs and restores the best epoch's
    parameters. The defaults are the tutorial's plain gradient descent.
    """

    lr: float = 0.5
    epochs: int = 20_000
    loss: str = "sse"
    batch_size: int | None = None
    reg: str = "none"
    reg_rate: float = 0.0
    seed: int = 0
    optimizer: str = "sgd"
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    alpha: float = 0.99
    eps: float = 1e-8
    schedule: str = "constant"
    step_size: int = 0
    gamma: float = 0.5
    patience: int = 0
    target_loss: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "lr", check_float("lr", self.lr, 0.0, MAX_LR, lo_open=True))
        object.__setattr__(self, "epochs", check_int("epochs", self.epochs, 1, MAX_EPOCHS))
        check_choice("loss", self.loss, LOSSES)
        if self.batch_size is not None:
            object.__setattr__(self, "batch_size",
                               check_int("batch size", self.batch_size, 1, 100_000))
        check_choice("reg", self.reg, REG_IDS)
        object.__setattr__(self, "reg_rate", check_float("reg rate", self.reg_rate, 0.0, 10.0))
        object.__setattr__(self, "seed", check_int("seed", self.seed, 0, MAX_SEED))
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        for name in ("momentum", "beta1", "beta2", "alpha"):
            object.__setattr__(self, name,
                               check_float(name, getattr(self, name), 0.0, 1.0, hi_open=True))
        object.__setattr__(self, "eps", check_float("eps", self.eps, 0.0, 1.0, lo_open=True))
        check_choice("schedule", self.schedule, SCHEDULES)
        object.__setattr__(self, "step_size",
                           check_int("step size", self.step_size, 0, MAX_EPOCHS))
        object.__setattr__(self, "gamma",
                           check_float("gamma", self.gamma, 0.0, 1.0, lo_open=True))
        object.__setattr__(self, "patience", check_int("patience", self.patience, 0, MAX_EPOCHS))
        object.__setattr__(self, "target_loss",
                           check_float("target loss", self.target_loss, 0.0, MAX_TARGET_LOSS))


_PLAIN = TrainConfig()
# TrainConfig's fields that say how the gradient becomes an update: the optimizer and
# its constants, the learning-rate schedule, early stopping (CLI flags, model files).
UPDATE_FIELDS = ("optimizer", "momentum", "beta1", "beta2", "alpha", "eps", "schedule",
                 "step_size", "gamma", "patience", "target_loss")


class KernelSettings(NamedTuple):
    """A network and its training as the compiled kernel takes them, in its argument order
    (``kernel.train_epochs`` and ``kernel.train_stops`` take them as ``*settings``;
    the optimizer state comes last, ``kernel.entry_args``)."""

    sizes: np.ndarray      # (n_layers + 1,) int64: units per layer, input first, k last
    act_id: int            # activations.ACTIVATION_IDS, of the hidden layers
    out_id: int            # activations.OUTPUT_IDS, of the output layer
    loss_id: int           # losses.LOSS_IDS
    use_bias: bool
    lr: float
    reg_id: int            # kernel.REG_IDS
    reg_rate: float
    batch_size: int        # rows per update; the row count for full batch
    seed: int              # the mini-batch shuffle's
    # The optimizer, its schedule and early stopping; left out, TrainConfig's defaults
    # (plain gradient descent at a constant rate, never stopping early).
    opt_id: int = OPTIMIZER_IDS[_PLAIN.optimizer]
    momentum: float = _PLAIN.momentum
    beta1: float = _PLAIN.beta1
    beta2: float = _PLAIN.beta2
    alpha: float = _PLAIN.alpha
    eps: float = _PLAIN.eps
    sched_id: int = SCHEDULE_IDS[_PLAIN.schedule]
    step_size: int = _PLAIN.step_size
    gamma: float = _PLAIN.gamma
    epochs: int = _PLAIN.epochs    # the schedule's length (cosine's T): the config's epochs
    patience: int = _PLAIN.patience
    target_loss: float = _PLAIN.target_loss


def kernel_settings(net: Network, config: TrainConfig, n_rows: int) -> KernelSettings:
    """What the kernel needs to train ``net`` by ``config`` on ``n_rows`` rows."""
    check_loss_for_output(net.output_activation, config.loss)
    return KernelSettings(np.asarray(net.layer_sizes, dtype=np.int64),
                          ACTIVATION_IDS[net.hidden_activation],
                          OUTPUT_IDS[net.output_activation], LOSS_IDS[config.loss], net.bias,
                          float(config.lr), REG_IDS[config.reg], float(config.reg_rate),
                          config.batch_size or n_rows, config.seed,
                          OPTIMIZER_IDS[config.optimizer], float(config.momentum),
                          float(config.beta1), float(config.beta2), float(config.alpha),
                          float(config.eps), SCHEDULE_IDS[config.schedule],
                          int(config.step_size), float(config.gamma), int(config.epochs),
                          int(config.patience), float(config.target_loss))


def kernel_for(sizes, n_rows: int) -> ModuleType:
    """The compiled module that trains a network of ``sizes`` on ``n_rows`` rows per update
    (or evaluates it on ``n_rows`` rows).

    Both candidates have the same entry points (``train_epochs``, ``train_stops``,
    ``loss_and_score``) with the same arguments and agree with ``reference.py``
    to 1e-9, so the choice changes speed only. ``kernel``'s row-at-a-time loops
    win on the tutorial's tiny networks; wide networks are the place for
    ``dense`` (BLAS matrix products over the whole batch): this is the one place
    that decides, by ``dense.wins_over_loops`` (docs/performance-real.md).
    """
    return dense if dense.wins_over_loops(sizes, n_rows) else kernel


@dataclass(frozen=True)
class Divergence:
    """Why and when a run stopped itself: ``epoch`` is the first epoch that failed."""

    epoch: int
    kind: str      # "loss" or "weights"
    message: str


@dataclass(frozen=True)
class EarlyStop:
    """Why and when early stopping ended a run.

    ``epoch`` is the number of epochs run; ``reason`` is ``"target"`` (the
    training loss reached ``target_loss``) or ``"patience"`` (the test loss
    stopped improving; the network holds the parameters of ``best_epoch``,
    which for a target stop is ``epoch``).
    """

    epoch: int
    reason: str
    best_epoch: int
    message: str


def early_stop_message(reason: str, epoch: int, best_epoch: int, config: TrainConfig) -> str:
    if reason == "target":
        return (f"Stopped after epoch {epoch:,}: the training loss reached the target "
                f"{config.target_loss:g}.")
    return (f"Stopped after epoch {epoch:,}: the test loss had not improved for "
            f"{config.patience:,} epochs; the weights of epoch {best_epoch:,}, where it was "
            f"lowest, are restored.")


@dataclass(frozen=True)
class Progress:
    """What a callback sees between chunks."""

    epoch: int
    target: int
    train_loss: float
    elapsed: float


def divergence_message(kind: str, epoch: int, lr: float) -> str:
    what = {
        "loss": "the loss overflowed to infinity",
        "weights": f"a weight grew past ±{MAX_ABS_WEIGHT:g}",
    }[kind]
    return (
        # ``epoch`` counts the epochs completed; people count the failing one from 1.
        f"Training diverged in epoch {epoch + 1:,}: {what}. The learning rate {lr:g} is too high "
        f"for this network; try {lr / 10:g} or lower. The last good weights are kept."
    )


def snapshot_schedule(start: int, end: int, count: int) -> np.ndarray:
    """Roughly log-spaced epochs in ``(start, end]``, at most ``count`` of them.

    Early epochs change a network most, so a timeline needs more frames there.
    """
    if end <= start:
        return np.zeros(0, dtype=np.int64)
    points = np.unique(np.round(np.geomspace(start + 1, end, count)).astype(np.int64))
    return points[(points > start) & (points <= end)]


def downsample_indices(n: int, max_points: int = 1000) -> np.ndarray:
    """Indices into a length-``n`` history for a chart: dense early, even later, always the last."""
    if n <= max_points:
        return np.arange(n)
    half = max_points // 2
    early = np.round(np.geomspace(1, n, half)).astype(np.int64) - 1
    even = np.linspace(0, n - 1, max_points - half).astype(np.int64)
    return np.unique(np.concatenate([early, even, [n - 1]]))


@dataclass
class Trainer:
    """Trains ``net`` in place on ``(X, y)`` and keeps what the UI needs to show.

    Parameters
    ----------
    net : Network, trained in place
    X : ndarray of shape (n, n_in), the training inputs
    y : ndarray of shape (n,) or (n, k)
        Class labels or targets, anything ``net.encode_targets`` takes; the
        encoded ``(n, k)`` targets are ``Y``.
    config : TrainConfig, whose loss must fit ``net``'s outputs
    X_test, y_test : optional test set, shapes (m, n_in) and as ``y``

    Attributes
    ----------
    epoch : int
        Epochs completed.
    train_loss : ndarray of shape (capacity,)
        ``train_loss[k]`` is epoch k's loss; valid for ``k < epoch``.
    records : dict of lists
        ``epoch``, ``train_loss``, ``test_loss``, ``train_accuracy``,
        ``test_accuracy``, ``train_r2``, ``test_r2`` at up to ~1,000
        evaluation points (every ``eval_every`` epochs). Accuracies are NaN for
        a regression network, R^2 is NaN for a classifier (and NaN for the test
        set without one). ``lr`` is the learning rate of the epoch that ended
        at each record (at epoch 0, the first epoch's).
    snapshot_epochs, snapshot_params
        Parameters at roughly log-spaced epochs (at most ``MAX_SNAPSHOTS``),
        including epoch 0, for a training timeline.
    diverged : Divergence or None
    stopped : EarlyStop or None
        Set when early stopping (``config.target_loss``, ``config.patience``)
        ended the run; a stopped trainer is ``done``.
    opt_state : ndarray of shape (optimizers.state_size(n_params),)
        The optimizer's state (its update count and moment buffers) and early
        stopping's, carried from call to call so a paused run resumes exactly.
    edited_epochs : list of int
        Epochs at which ``set_params`` replaced the weights (set by hand), in order.
    """

    net: Network
    X: np.ndarray
    y: np.ndarray
    config: TrainConfig = field(default_factory=TrainConfig)
    X_test: np.ndarray | None = None
    y_test: np.ndarray | None = None

    def __post_init__(self):
        check_loss_for_output(self.net.output_activation, self.config.loss)
        self.X = np.ascontiguousarray(self.X, dtype=np.float64)
        self.y = _as_targets_array(self.y)
        if self.X.ndim != 2 or self.X.shape[1] != self.net.n_data_inputs:
            raise ValueError(
                f"X must have shape (n, {self.net.n_data_inputs}) for a "
                f"{self.net.architecture()} network, got {self.X.shape}"
            )
        if self.X.shape[0] != self.y.shape[0] or self.X.shape[0] == 0:
            raise ValueError("X and y must have the same, non-zero, number of rows")
        self.Y = self.net.encode_targets(self.y)
        if self.X_test is None or len(self.X_test) == 0:
            self.X_test = np.zeros((0, self.X.shape[1]))
            self.y_test = np.zeros((0,) + self.y.shape[1:])
        self.X_test = np.ascontiguousarray(self.X_test, dtype=np.float64)
        self.y_test = _as_targets_array(self.y_test)
        self.Y_test = self.net.encode_targets(self.y_test)
        # The kernels see what the first layer takes: the input features, computed once.
        self.X_in = np.ascontiguousarray(self.net.inputs(self.X))
        self.X_test_in = np.ascontiguousarray(self.net.inputs(self.X_test))
        self._tss = (_total_sum_of_squares(self.Y), _total_sum_of_squares(self.Y_test))
        self._check_patience(self.config)
        self.opt_state = new_state(len(self.net.params))
        self.stopped: EarlyStop | None = None
        self.epoch = 0
        self.target = self.config.epochs
        self.train_loss = np.zeros(self.target)
        self.diverged: Divergence | None = None
        self.records: dict[str, list[float]] = {
            "epoch": [], "train_loss": [], "test_loss": [],
            "train_accuracy": [], "test_accuracy": [], "train_r2": [], "test_r2": [],
            "lr": [],
        }
        self.snapshot_epochs: list[int] = []
        self.snapshot_params: list[np.ndarray] = []
        self.edited_epochs: list[int] = []
        self.seconds = 0.0
        # Epochs per second of the last chunk, kept from call to call: a live view calls
        # ``train`` with a short ``max_seconds`` each frame, and a call's first chunk cut
        # by its own rate alone would run whole (up to an evaluation point, seconds of
        # a big network's epochs) before the Pause it may be holding up.
        self._rate: float | None = None
        self._plan(self.target)
        self._record(0)

    # --- schedule ------------------------------------------------------------
    def _plan(self, target: int) -> None:
        self.eval_every = max(1, target // MAX_RECORDS)
        budget = MAX_SNAPSHOTS - len(self.snapshot_epochs)
        if budget < MAX_SNAPSHOTS // 4:
            # Extending a long run: thin the old frames rather than stop taking new ones.
            keep = sorted(set(range(0, len(self.snapshot_epochs), 2)) | {0})
            self.snapshot_epochs = [self.snapshot_epochs[i] for i in keep]
            self.snapshot_params = [self.snapshot_params[i] for i in keep]
            budget = MAX_SNAPSHOTS - len(self.snapshot_epochs)
        self._pending = list(snapshot_schedule(self.epoch, target, budget))

    def extend(self, extra_epochs: int) -> None:
        """Raise the target by ``extra_epochs`` (pressing Train again after a finished run).

        An early stop is cleared, with patience's count of epochs without improvement.
        """
        self.set_target(self.epoch + check_int("epochs", extra_epochs, 1, MAX_EPOCHS))
        self._clear_stop()

    def set_target(self, target: int) -> None:
        """Train toward epoch ``target`` (at least the epochs already done)."""
        self.target = max(self.epoch, int(target))
        if self.target > len(self.train_loss):
            grown = np.zeros(max(self.target, 2 * len(self.train_loss)))
            grown[: self.epoch] = self.train_loss[: self.epoch]
            self.train_loss = grown
        self._plan(self.target)

    def set_config(self, config: TrainConfig) -> None:
        """Continue with new settings (e.g. a lower learning rate), keeping the network.

        A new configuration clears a divergence, since the cause may be gone, and an
        early stop. A different optimizer starts from a fresh state (update count 0,
        zero moments); the same optimizer keeps its state, whatever else changed.
        """
        check_loss_for_output(self.net.output_activation, config.loss)
        self._check_patience(config)
        if config.optimizer != self.config.optimizer:
            reset_optimizer(self.opt_state)
        else:
            set_betas(self.opt_state, config.beta1, config.beta2)
        self.config = config
        self._rate = None   # a new batch size or optimizer runs at another pace
        self.diverged = None
        self._clear_stop()

    def set_params(self, params: np.ndarray) -> None:
        """Continue from ``params`` (weights set by hand) as a new starting point.

        ``params`` is a whole ``net.params`` vector, checked before anything changes:
        every value finite and within ``MAX_ABS_WEIGHT``, the bias slots zero when the
        network has no bias. The epoch count goes on; the optimizer and early stopping
        start afresh (old moments and an old best loss belong to other weights); a
        second record at this epoch holds the new loss, so the history shows the jump,
        and this epoch's timeline frame is the edited network.
        """
        params = np.asarray(params, dtype=np.float64)
        if params.shape != self.net.params.shape:
            raise ValueError(f"params must have shape {self.net.params.shape}, "
                             f"got {params.shape}")
        if not np.all(np.isfinite(params)):
            raise ValueError("every weight must be a finite number")
        if np.max(np.abs(params), initial=0.0) > MAX_ABS_WEIGHT:
            raise ValueError(f"weights must lie within ±{MAX_ABS_WEIGHT:g}")
        if not self.net.bias and any(np.any(b != 0) for b in
                                     self.net.with_params(params).biases):
            raise ValueError("this network has no bias: its biases stay 0")
        self.net.params[...] = params
        reset_optimizer(self.opt_state)
        self.opt_state[BEST_LOSS] = np.inf
        self.opt_state[BEST_EPOCH] = 0.0
        self.diverged = None
        self._clear_stop()
        again = bool(self.edited_epochs) and self.edited_epochs[-1] == self.epoch
        if again:   # a second edit at the same epoch replaces the first's record
            for values in self.records.values():
                values.pop()
        else:
            self.edited_epochs.append(self.epoch)
        self._record(self.epoch, again=True)
        if self.snapshot_epochs and self.snapshot_epochs[-1] == self.epoch:
            self.snapshot_params[-1] = self.net.params.copy()
        else:
            self._snapshot()

    def _check_patience(self, config: TrainConfig) -> None:
        if config.patience > 0 and len(self.X_test) == 0:
            raise ValueError("patience needs a test split to watch; give the data a test "
                             "share or set patience to 0")

    def _clear_stop(self) -> None:
        self.stopped = None
        self.opt_state[SINCE_BEST] = 0.0

    # --- running -------------------------------------------------------------
    @property
    def done(self) -> bool:
        return (self.diverged is not None or self.stopped is not None
                or self.epoch >= self.target)

    def train(
        self,
        n_epochs: int | None = None,
        *,
        callback: Callable[[Progress], bool | None] | None = None,
        max_seconds: float | None = None,
    ) -> int:
        """Train toward the target; return the number of epochs completed now.

        ``n_epochs`` caps how many epochs this call runs; ``max_seconds`` caps
        its time (checked between chunks). ``callback`` is called after every
        chunk with a ``Progress``; returning True stops this call (a Pause). Training
        also stops on divergence (see ``diverged``) and early stopping (``stopped``).
        """
        limit = self.target if n_epochs is None else min(self.target, self.epoch + n_epochs)
        started = time.perf_counter()
        first = self.epoch
        cfg = self.config
        settings = kernel_settings(self.net, cfg, len(self.X))
        compiled = kernel_for(self.net.layer_sizes, min(settings.batch_size, len(self.X)))
        rate = None   # epochs per second, measured on this call's chunks
        while self.epoch < limit and not self.done:
            cut, more = None, 0.0
            # Many stops per call (see ``train_stops``), up to CHUNK_SECONDS of
            # training, once this call has timed a chunk. Slow epochs (a big net on
            # many points) would overrun a time budget by a whole chunk: cut the chunk
            # to what fits, at the pace of the last chunk, this call's or an earlier
            # one's. Where a run is cut never changes its result, only when control
            # returns.
            if rate is not None:
                more = rate * CHUNK_SECONDS
            if max_seconds is not None and self._rate is not None:
                cut = self._rate * (max_seconds - (time.perf_counter() - started))
            stops = self._stops(limit, cut, more)
            evals = np.zeros((len(stops), 4))
            params_at = np.empty((len(stops), len(self.net.params)))
            t0 = time.perf_counter()
            reached, epoch, status = compiled.train_stops(
                self.X_in, self.Y, self.X_test_in, self.Y_test, self.net.params, *settings,
                self.epoch, stops, self.train_loss, MAX_ABS_WEIGHT, evals, params_at,
                self.opt_state,
            )
            spent = time.perf_counter() - t0
            self.seconds += spent
            if epoch > self.epoch and spent > 0:
                rate = self._rate = (epoch - self.epoch) / spent
            for j in range(int(reached)):
                self._arrive(int(stops[j]), limit, evals[j], params_at[j])
            if status in (TARGET_REACHED, NO_IMPROVEMENT):
                self._stop(int(epoch), status)
                self._arrive(int(epoch), limit)
            elif status != OK:
                kind = "loss" if status == LOSS_NOT_FINITE else "weights"
                self.diverged = Divergence(int(epoch), kind,
                                           divergence_message(kind, int(epoch), cfg.lr))
                self._arrive(int(epoch), limit)
            elapsed = time.perf_counter() - started
            if callback is not None and callback(
                Progress(self.epoch, self.target, self.last_loss, elapsed)
            ):
                break
            if max_seconds is not None and elapsed >= max_seconds:
                break
        if self.done and (not self.snapshot_epochs or self.snapshot_epochs[-1] != self.epoch):
            self._snapshot()
        return self.epoch - first

    def _stop(self, epoch: int, status: int) -> None:
        reason = "target" if status == TARGET_REACHED else "patience"
        best = epoch if reason == "target" else int(self.opt_state[BEST_EPOCH])
        self.stopped = EarlyStop(epoch, reason, best,
                                 early_stop_message(reason, epoch, best, self.config))

    def _stops(self, limit: int, cut: float | None, more: float) -> np.ndarray:
        """The epochs the next chunk stops at: evaluation points, snapshots, ``limit``.

        The first stop is cut to ``cut`` epochs from now (None: not cut); more
        follow while they fall within ``more`` epochs from now.
        """
        epoch = self.epoch
        end = limit if cut is None else min(limit, epoch + max(1, int(cut)))
        horizon = min(end, epoch + int(more))
        snaps = [p for p in self._pending if p > epoch]
        k = 0
        stops: list[int] = []
        while epoch < end:
            stop = min(end, (epoch // self.eval_every + 1) * self.eval_every)
            while k < len(snaps) and snaps[k] <= epoch:
                k += 1
            if k < len(snaps):
                stop = min(stop, snaps[k])
            if stops and stop > horizon:
                break
            stops.append(stop)
            epoch = stop
        return np.asarray(stops, dtype=np.int64)

    def _arrive(self, epoch: int, limit: int, evals=None, params=None) -> None:
        """Bookkeeping at a stop: the record and snapshot due there.

        ``evals`` and ``params`` are what the kernel measured there (None: the
        network as it is now).
        """
        while self._pending and self._pending[0] <= self.epoch:
            self._pending.pop(0)
        self.epoch = epoch
        if epoch % self.eval_every == 0 or self.done or epoch == limit:
            self._record(epoch, evals)
        if self._pending and self._pending[0] <= epoch:
            self._snapshot(params)

    def _snapshot(self, params: np.ndarray | None = None) -> None:
        if self.snapshot_epochs and self.snapshot_epochs[-1] == self.epoch:
            return
        if len(self.snapshot_epochs) >= MAX_SNAPSHOTS:
            # Keep the frame budget: drop the newest interior frame to make room.
            del self.snapshot_epochs[-1], self.snapshot_params[-1]
        self.snapshot_epochs.append(self.epoch)
        self.snapshot_params.append((self.net.params if params is None else params).copy())

    def _record(self, epoch: int, evals: np.ndarray | None = None, again: bool = False) -> None:
        """Record the metrics at ``epoch``: ``evals`` as ``train_stops`` measured them there,
        or (None) the current network's; ``again``: even if ``epoch`` has its record."""
        if not again and self.records["epoch"] and self.records["epoch"][-1] == epoch:
            return
        if evals is None:
            train_loss, train_score = self.evaluate(self.X, self.y)
            test_loss, test_score = self.evaluate(self.X_test, self.y_test)
        else:
            train_loss, train_score = float(evals[0]), self._score(evals[1], 0)
            test_loss, test_score = float("nan"), float("nan")
            if len(self.X_test):
                test_loss, test_score = float(evals[2]), self._score(evals[3], 1)
        nan = float("nan")
        regress = self.net.task == "regress"
        r = self.records
        r["epoch"].append(epoch)
        r["train_loss"].append(train_loss)
        r["test_loss"].append(test_loss)
        r["train_accuracy"].append(nan if regress else train_score)
        r["test_accuracy"].append(nan if regress else test_score)
        r["train_r2"].append(train_score if regress else nan)
        r["test_r2"].append(test_score if regress else nan)
        cfg = self.config
        r["lr"].append(lr_at(cfg.schedule, cfg.lr, max(epoch - 1, 0), cfg.epochs, cfg.step_size,
                             cfg.gamma))
        if epoch == 0:
            self._snapshot()

    # --- results -------------------------------------------------------------
    @property
    def last_loss(self) -> float:
        """The loss of the last epoch run (the tutorial's final printed error).

        Before any epoch it is the loss at the initial weights.
        """
        return self.loss_after(self.epoch)

    def loss_after(self, epochs_done: int) -> float:
        """``last_loss`` as it read when ``epochs_done`` epochs had run (for a timeline).

        At 0 epochs, or where the weights were set by hand, it is the loss of the
        weights training started (again) from.
        """
        if epochs_done == 0 or epochs_done in self.edited_epochs:
            r = self.records
            return r["train_loss"][len(r["epoch"]) - 1 - r["epoch"][::-1].index(epochs_done)]
        return float(self.train_loss[epochs_done - 1])

    @property
    def losses(self) -> np.ndarray:
        """Per-epoch training loss, shape ``(epoch,)`` (a view; copy to keep)."""
        return self.train_loss[: self.epoch]

    def evaluate(self, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        """``(loss, score)`` of the current network on data ``X`` (n, n_data_inputs) and labels
        or targets ``y``.

        The score is the accuracy of a classifier, R^2 of a regression network.
        The compiled twin of ``reference.evaluate`` (it runs ~1,000 times a run).
        """
        if len(X) == 0:
            return float("nan"), float("nan")
        X = np.ascontiguousarray(self.net.inputs(X), dtype=np.float64)
        Y = self.net.encode_targets(_as_targets_array(y))
        k = kernel_settings(self.net, self.config, len(self.X))
        compiled = kernel_for(self.net.layer_sizes, len(X))
        loss, score = compiled.loss_and_score(X, Y, self.net.params, k.sizes, k.act_id,
                                              k.out_id, k.loss_id)
        if self.net.task == "regress":
            return float(loss), _r2_from(score, _total_sum_of_squares(Y))
        return float(loss), score / len(X)

    def _score(self, kernel_score: float, which: int) -> float:
        """The kernel's score of the training (``which`` 0) or test set as accuracy or R^2."""
        if self.net.task == "regress":
            return _r2_from(kernel_score, self._tss[which])
        return float(kernel_score) / len(self.X if which == 0 else self.X_test)

    def current_metrics(self) -> dict[str, float | None]:
        """Loss and score at the current weights (test values None without a test set).

        The score's keys are ``train_accuracy``/``test_accuracy`` for a classifier,
        ``train_r2``/``test_r2`` for a regression network.
        """
        train_loss, train_score = self.evaluate(self.X, self.y)
        test_loss, test_score = self.evaluate(self.X_test, self.y_test)
        has_test = len(self.X_test) > 0
        score = "r2" if self.net.task == "regress" else "accuracy"
        return {
            "epoch": self.epoch,
            "last_epoch_loss": self.last_loss,
            "train_loss": train_loss,
            f"train_{score}": train_score,
            "test_loss": test_loss if has_test else None,
            f"test_{score}": test_score if has_test else None,
        }

    def network_at(self, index: int) -> Network:
        """The network as it was at snapshot ``index``."""
        return self.net.with_params(self.snapshot_params[index])


def _as_targets_array(y) -> np.ndarray:
    """Labels or targets as a contiguous float64 array: ``(n,)``, or ``(n, k)`` for k > 1."""
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    return np.ascontiguousarray(y)


def _total_sum_of_squares(Y: np.ndarray) -> float:
    """Sum of squares of ``Y`` (n, k) about each column's mean: R^2's denominator."""
    if len(Y) == 0:
        return float("nan")
    centred = Y - Y.mean(axis=0)
    return float(np.sum(centred * centred))


def _r2_from(rss: float, tss: float) -> float:
    # metrics.r2's definition from the kernel's residual sum of squares.
    return 1.0 - float(rss) / tss if tss > 0 else float("nan")


def train(
    net: Network, X, y, config: TrainConfig, *, X_test=None, y_test=None, callback=None
) -> Trainer:
    """Train ``net`` in place for ``config.epochs`` epochs and return the finished Trainer."""
    trainer = Trainer(net, X, y, config, X_test, y_test)
    trainer.train(callback=callback)
    return trainer
