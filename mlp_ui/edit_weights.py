"""Weights by hand: the Playground's weight matrices and biases as tables to type into.

Each ``Table`` is one matrix (rows: its inputs, columns: its units) or one bias
vector (one row, ``b``), named as the tutorial names them. ``params_from`` turns the
tables as edited into a whole parameter vector, or refuses it with a message naming
the cell, and ``Trainer.set_params`` makes that the run's new starting point.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from mlp_core.network import Network
from mlp_core.training import MAX_ABS_WEIGHT

from . import keys
from .run import Run
from .views import input_labels, weight_names

# A table taller or wider than this is no longer read or typed into cell by cell
# (the digits' first matrix is 64x32).
MAX_EDIT_UNITS = 16


@dataclass(frozen=True)
class Table:
    """One editable block of ``net.params``: a layer's weights or its biases."""

    name: str           # weight_hidden, bias_output, ...
    layer: int
    is_bias: bool
    rows: list[str]
    columns: list[str]

    @property
    def caption(self) -> str:
        return f"**{self.name}** ({len(self.rows)}x{len(self.columns)})"

    def values(self, net: Network) -> np.ndarray:
        """This block of ``net``, shape ``(len(rows), len(columns))``."""
        if self.is_bias:
            return net.biases[self.layer].reshape(1, -1)
        return net.weights[self.layer]

    def frame(self, net: Network) -> pd.DataFrame:
        return pd.DataFrame(self.values(net).copy(), index=self.rows, columns=self.columns)


def _unit_names(net: Network, layer: int) -> list[str]:
    """Names of the units layer ``layer`` feeds: h1.. (h2_1.. deeper), or out / o1.."""
    n = net.layer_sizes[layer + 1]
    if layer == net.n_hidden_layers:
        return ["out"] if n == 1 else [f"o{j + 1}" for j in range(n)]
    prefix = "h" if layer == 0 else f"h{layer + 1}_"
    return [f"{prefix}{j + 1}" for j in range(n)]


def tables(net: Network) -> list[Table]:
    """The weight matrices (and bias vectors, when bias is on), in layer order."""
    out = []
    for l, name in enumerate(weight_names(net)):
        rows = (input_labels(net) or [f"x{i + 1}" for i in range(net.layer_sizes[0])]
                if l == 0 else _unit_names(net, l - 1))
        columns = _unit_names(net, l)
        out.append(Table(name, l, False, rows, columns))
        if net.bias:
            out.append(Table(name.replace("weight", "bias"), l, True, ["b"], columns))
    return out


def too_big(net: Network) -> str | None:
    """Why ``net``'s weights are not offered for editing, or None when they are."""
    big = [f"{name} is {n_in}x{n_out}" for name, (n_in, n_out)
           in zip(weight_names(net), net.layer_shapes)
           if n_in > MAX_EDIT_UNITS or n_out > MAX_EDIT_UNITS]
    if not big:
        return None
    return (f"Editing by hand is offered for matrices up to {MAX_EDIT_UNITS}x{MAX_EDIT_UNITS}: "
            f"{', '.join(big)}, too many cells to set one by one.")


def params_from(net: Network, edited: list[tuple[Table, np.ndarray]]) -> np.ndarray:
    """``net.params`` with each table's block replaced by its edited values.

    Raises ``ValueError`` naming the first cell that is empty, not finite, or beyond
    ``MAX_ABS_WEIGHT``; then nothing is to be applied.
    """
    new = net.with_params(net.params)
    for table, values in edited:
        values = np.asarray(values, dtype=np.float64)
        for (i, j), v in np.ndenumerate(values):
            if not np.isfinite(v) or abs(v) > MAX_ABS_WEIGHT:
                cell = f"{table.name}[{table.rows[i]}, {table.columns[j]}]"
                what = "is empty or not a number" if np.isnan(v) else f"= {v:g}"
                raise ValueError(f"{cell} {what}: a weight must be a number within "
                                 f"±{MAX_ABS_WEIGHT:g}.")
        table.values(new)[...] = values
    return new.params


def _version(net: Network) -> str:
    """Names the weights the tables start from: new weights, new (unedited) tables."""
    return hashlib.blake2b(net.params.tobytes(), digest_size=6).hexdigest()


def apply(run: Run, params: np.ndarray) -> None:
    """Make ``params`` the run's weights from now on (see ``Trainer.set_params``)."""
    with run.lock:
        run.trainer.set_params(params)
    run.files = {}                          # the Download tab's files were of the old weights
    st.session_state[keys.TIMELINE] = None  # show the run as it is now


def editor(container, run: Run, *, training: bool) -> None:
    """The "Edit weights" toggle and, when on, a table per weight matrix and bias vector.

    An edit that passes ``params_from`` is applied at once and the page drawn again;
    one that does not leaves the run as it was, with a message.
    """
    on = container.toggle(
        "Edit weights", key=keys.EDIT_WEIGHTS, disabled=training,
        help="Type your own weights: the boundary, truth table, loss and charts follow, "
             "and Train or Step go on from them.")
    if training:
        container.caption("Editing the weights waits until training stops: press Pause.")
        return
    if not on:
        return
    net = run.trainer.net
    reason = too_big(net)
    if reason:
        container.caption(reason)
        return
    edits = run.trainer.edited_epochs
    note = (f"The tables hold the weights at epoch {run.trainer.epoch:,}, the run as it is "
            "now. An edit is a new starting point: the optimizer's state starts afresh, the "
            "epoch count goes on, and the loss curve marks the epoch.")
    if edits:
        note += f" Weights set by hand at epoch {', '.join(f'{e:,}' for e in edits)}."
    box = container.container(key=keys.EDIT_TABLE)
    box.caption(note)
    version = _version(net)
    edited = []
    for i, table in enumerate(tables(net)):
        box.caption(table.caption)
        frame = box.data_editor(
            table.frame(net), key=f"{keys.EDIT_TABLE}-{i}-{version}",
            column_config={c: st.column_config.NumberColumn(c, format="%.4g")
                           for c in table.columns})
        edited.append((table, frame.to_numpy(dtype=np.float64, na_value=np.nan)))
    try:
        params = params_from(net, edited)
    except ValueError as err:
        box.error(f"{err} Nothing was changed.")
        return
    if not np.array_equal(params, net.params):
        apply(run, params)
        st.rerun()    # fresh tables holding the new weights
