"""Shared pieces of the teaching pages: matrices with shapes, formulas, the tutorial's words."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from mlp_core.activations import DERIVATIVE_LATEX, OUTPUT_LATEX
from mlp_core.losses import LOSS_DERIVATIVE_LATEX, LOSS_LATEX
from mlp_core.reference import Step

MAX_ROWS_SHOWN = 8
# Columns of a matrix shown; a 64-input layer's 64 columns would be a wall of numbers.
MAX_COLS_SHOWN = 16

# How each of the tutorial's quantities is written as math, and what it means.
STEP_LATEX = {
    "input_hidden": (r"\text{input\_hidden} = X\,W_h" , "weighted sum into each hidden unit"),
    "output_hidden": (r"\text{output\_hidden} = f(\text{input\_hidden})",
                      "what the hidden units pass on"),
    "input_op": (r"\text{input\_op} = \text{output\_hidden}\,W_o", "weighted sum into the output"),
    "output_op": (r"\text{output\_op} = \sigma(\text{input\_op})", "the network's prediction"),
    "derror_douto": (r"\frac{\partial E}{\partial\,\text{output\_op}}",
                     "how the error changes with the output"),
    "douto_dino": (r"\frac{\partial\,\text{output\_op}}{\partial\,\text{input\_op}}"
                   r"=\sigma(z)(1-\sigma(z))", "slope of the output sigmoid"),
    "dino_dwo": (r"\frac{\partial\,\text{input\_op}}{\partial W_o}=\text{output\_hidden}",
                 "what each output weight multiplies"),
    "derror_dwo": (r"\frac{\partial E}{\partial W_o}=\text{dino\_dwo}^{T}\cdot"
                   r"(\text{derror\_douto}\odot\text{douto\_dino})",
                   "gradient of the output weights"),
    "derror_dbo": (r"\frac{\partial E}{\partial b_o}=\textstyle\sum_{\text{rows}}"
                   r"\text{derror\_dino}", "gradient of the output bias"),
    "derror_dino": (r"\frac{\partial E}{\partial\,\text{input\_op}}="
                    r"\text{derror\_douto}\odot\text{douto\_dino}",
                    "error signal at the layer above's input"),
    "dino_douth": (r"\frac{\partial\,\text{input\_op}}{\partial\,\text{output\_hidden}}=W_o",
                   "the weights the error flows back through"),
    "derror_douth": (r"\frac{\partial E}{\partial\,\text{output\_hidden}}="
                     r"\text{derror\_dino}\cdot\text{dino\_douth}^{T}",
                     "error signal at each hidden unit's output"),
    "douth_dinh": (r"\frac{\partial\,\text{output\_hidden}}{\partial\,\text{input\_hidden}}",
                   "slope of the hidden activation"),
    "dinh_dwh": (r"\frac{\partial\,\text{input\_hidden}}{\partial W_h}=X",
                 "what each hidden weight multiplies"),
    "derror_dwh": (r"\frac{\partial E}{\partial W_h}=\text{dinh\_dwh}^{T}\cdot"
                   r"(\text{douth\_dinh}\odot\text{derror\_douth})",
                   "gradient of the hidden weights"),
    "derror_dbh": (r"\frac{\partial E}{\partial b_h}=\textstyle\sum_{\text{rows}}"
                   r"(\text{douth\_dinh}\odot\text{derror\_douth})", "gradient of the hidden bias"),
}


# What changes with the output layer (activations.OUTPUT_LATEX has each one's formula):
# its prediction, its slope, and phase 1's error signal. Softmax + cross-entropy has no
# elementwise slope (each p_j depends on every z_l); the product cancels to (p - t) / n.
OUTPUT_STEP_LATEX = {
    "sigmoid": {},
    "softmax": {
        "output_op": (r"\text{output\_op} = \operatorname{softmax}(\text{input\_op})",
                      "the predicted probability of each class (each row sums to 1)"),
        "derror_dino": (r"\frac{\partial E}{\partial\,\text{input\_op}}="
                        r"\frac{1}{n}(\text{output\_op}-\text{target\_output})",
                        "error signal at the output's input: softmax and cross-entropy "
                        "cancel to p − t"),
        "derror_dwo": (r"\frac{\partial E}{\partial W_o}=\text{dino\_dwo}^{T}\cdot"
                       r"\text{derror\_dino}", "gradient of the output weights"),
    },
    "linear": {
        "output_op": (r"\text{output\_op} = \text{input\_op}",
                      "the predicted value of each target (no squashing)"),
        "douto_dino": (r"\frac{\partial\,\text{output\_op}}{\partial\,\text{input\_op}}=1",
                       "slope of the linear output: 1 everywhere"),
    },
}


def step_entry(name: str, output: str = "sigmoid") -> tuple[str, str]:
    """``(latex, meaning)`` of a step for a network with ``output`` units."""
    return OUTPUT_STEP_LATEX[output].get(name) or STEP_LATEX.get(name, (name, ""))


def output_definition(output: str) -> str:
    """The output unit's own formula, e.g. ``p_j = e^{z_j} / sum_l e^{z_l}``."""
    return OUTPUT_LATEX[output]


def shape_text(a: np.ndarray) -> str:
    return "x".join(str(n) for n in (a.shape if a.ndim == 2 else (1, a.shape[0])))


def matrix_table(a: np.ndarray, row_names: list[str] | None = None) -> pd.DataFrame:
    """A DataFrame of at most ``MAX_ROWS_SHOWN`` rows and ``MAX_COLS_SHOWN`` columns of ``a``
    (2-D, or 1-D as one row)."""
    m = a if a.ndim == 2 else a.reshape(1, -1)
    shown = m[:MAX_ROWS_SHOWN, :MAX_COLS_SHOWN]
    frame = pd.DataFrame(shown, columns=[f"c{j + 1}" for j in range(shown.shape[1])])
    if row_names is not None:
        frame.index = row_names[: len(shown)]
    return frame


def cut_note(a: np.ndarray) -> str | None:
    """``"Showing the first 8 of 120 rows."`` (and columns) when ``matrix_table`` cuts ``a``."""
    rows, cols = a.shape if a.ndim == 2 else (1, a.shape[0])
    parts = []
    if rows > MAX_ROWS_SHOWN:
        parts.append(f"{MAX_ROWS_SHOWN} of {rows} rows")
    if cols > MAX_COLS_SHOWN:
        parts.append(f"{MAX_COLS_SHOWN} of {cols} columns")
    return f"Showing the first {' and '.join(parts)}." if parts else None


def step_latex(step: Step, n_hidden_layers: int = 1, bias: bool = False,
               output: str = "sigmoid") -> str:
    """The step's formula: the tutorial's one-hidden-layer form, adjusted to the layer.

    With several hidden layers, hidden layer ``l > 1`` takes ``output_hidden`` of
    layer ``l - 1`` instead of ``X``, and phase 2 below the top hidden layer gets its
    error signal through the weights of the hidden layer above, not ``W_o``.
    """
    l, name = step.layer, step.name
    latex, _ = step_entry(name, output)
    if name == "output_op":
        latex += r",\qquad " + OUTPUT_LATEX[output]
    if name == "derror_dino" and step.phase == "phase 2" and output == "softmax":
        # the top hidden layer's error signal is phase 1's (p - t) / n
        latex = STEP_LATEX["derror_dino"][0].split("=")[0] + r"=\text{derror\_dino}" \
            r"\ \text{(phase 1)}"
    if n_hidden_layers > 1:
        source = "X" if l == 1 else rf"\text{{output\_hidden}}^{{({l - 1})}}"
        if name == "input_hidden":
            latex = rf"\text{{input\_hidden}}^{{({l})}} = {source}\,W_h^{{({l})}}"
        elif name == "dinh_dwh":
            latex = (rf"\frac{{\partial\,\text{{input\_hidden}}^{{({l})}}}}"
                     rf"{{\partial W_h^{{({l})}}}}={source}")
        elif name == "derror_dino" and l < n_hidden_layers:
            latex = (rf"\frac{{\partial E}}{{\partial\,\text{{input\_hidden}}^{{({l + 1})}}}}"
                     r"=(\text{douth\_dinh}\odot\text{derror\_douth})_{\text{layer above}}")
        elif name == "dino_douth" and l < n_hidden_layers:
            latex = (rf"\frac{{\partial\,\text{{input\_hidden}}^{{({l + 1})}}}}"
                     rf"{{\partial\,\text{{output\_hidden}}^{{({l})}}}}=W_h^{{({l + 1})}}")
    if bias and name == "input_hidden":
        latex += rf" + b_h^{{({l})}}" if n_hidden_layers > 1 else r" + b_h"
    elif bias and name == "input_op":
        latex += r" + b_o"
    return latex


def show_step(container, step: Step, *, extra_latex: str = "", product: str = "",
              n_hidden_layers: int = 1, bias: bool = False, output: str = "sigmoid") -> None:
    _, meaning = step_entry(step.name, output)
    container.markdown(f"**`{step.name}`** — {meaning} · shape **({shape_text(step.value)})**"
                       + (f" · {product}" if product else ""))
    container.latex(step_latex(step, n_hidden_layers, bias, output) + extra_latex)
    container.caption(f"`{step.formula}`")
    table = matrix_table(step.value)
    container.dataframe(table.style.format("{:.6g}"), width="stretch",
                        height=table_height(len(table)))
    note = cut_note(step.value)
    if note:
        container.caption(note)


def table_height(rows: int) -> int:
    """Pixel height of an ``st.dataframe`` that shows ``rows`` rows and a header, no more.

    Streamlit's grid draws 35 px rows; 3 px more are its borders.
    """
    return 35 * (rows + 1) + 3


def loss_latex(loss: str) -> tuple[str, str]:
    return LOSS_LATEX[loss], LOSS_DERIVATIVE_LATEX[loss]


def activation_latex(name: str) -> str:
    return DERIVATIVE_LATEX[name]


def step_lock():
    from .shared import shared

    return shared().compute_lock


def spinner(text: str):
    return st.spinner(text, show_time=True)
