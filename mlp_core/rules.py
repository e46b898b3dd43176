"""The tutorial's three rules of thumb for the number of hidden nodes.

Each rule returns a recommendation (a range of node counts) and the rule in
plain words, so the sweep page can set rules beside measurements.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    low: int
    high: int
    wording: str

    @property
    def value(self) -> float:
        """A single point to mark on an axis: the middle of the range."""
        return (self.low + self.high) / 2


def rule_less_than_twice_inputs(n_inputs: int, n_outputs: int = 1) -> Rule:
    high = max(1, 2 * n_inputs - 1)
    return Rule(
        "twice-inputs", f"< 2x inputs (1-{high})", 1, high,
        f"Keep the hidden layer smaller than twice the input layer: with {n_inputs} "
        f"inputs, fewer than {2 * n_inputs} hidden nodes, so at most {high}.",
    )


def rule_two_thirds_plus_outputs(n_inputs: int, n_outputs: int = 1) -> Rule:
    n = max(1, math.floor(2 * n_inputs / 3 + n_outputs))
    return Rule(
        "two-thirds", f"2/3 in + out ({n})", n, n,
        f"Take two thirds of the input count and add the output count, rounded down: "
        f"floor(2x{n_inputs}/3 + {n_outputs}) = {n} hidden nodes.",
    )


def rule_between_inputs_and_outputs(n_inputs: int, n_outputs: int = 1) -> Rule:
    low, high = sorted((max(1, n_outputs), max(1, n_inputs)))
    return Rule(
        "between", f"between out and in ({low}-{high})", low, high,
        f"Pick a hidden size between the output count ({n_outputs}) and the input "
        f"count ({n_inputs}): {low} to {high} nodes.",
    )


RULES = {
    "twice-inputs": rule_less_than_twice_inputs,
    "two-thirds": rule_two_thirds_plus_outputs,
    "between": rule_between_inputs_and_outputs,
}


def rules_of_thumb(n_inputs: int, n_outputs: int = 1) -> list[Rule]:
    """All three rules evaluated for this many inputs and outputs."""
    return [rule(n_inputs, n_outputs) for rule in RULES.values()]
