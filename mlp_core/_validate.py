"""Parameter checks that raise one clear ``ValueError`` naming the parameter and its range."""

from __future__ import annotations

import math
from collections.abc import Iterable

# Seeds feed np.random.default_rng and the tutorial's np.random.seed, whose range this is.
MAX_SEED = 2**32 - 1


def int_range(lo: int, hi: int) -> str:
    """``[lo, hi]`` as the messages write it."""
    return f"[{lo:,}, {hi:,}]"


def float_range(lo: float, hi: float, *, lo_open: bool = False, hi_open: bool = False) -> str:
    """``[lo, hi]`` (``(lo`` if ``lo_open``, ``hi)`` if ``hi_open``) as the messages write it."""
    return f"{'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"


def check_int(name: str, value, lo: int, hi: int) -> int:
    """Return ``value`` as an int in ``[lo, hi]`` or raise ``ValueError``."""
    # bool is an int subclass, but "epochs=True" is always a mistake.
    if isinstance(value, bool) or not _is_integral(value):
        raise ValueError(f"{name} must be an integer in {int_range(lo, hi)}, got {value!r}")
    value = int(value)
    if not lo <= value <= hi:
        raise ValueError(f"{name} must be an integer in {int_range(lo, hi)}, got {value:,}")
    return value


def check_float(name: str, value, lo: float, hi: float, *, lo_open: bool = False,
                hi_open: bool = False) -> float:
    """Return ``value`` as a finite float in ``[lo, hi]`` (either end open if asked)."""
    allowed = float_range(lo, hi, lo_open=lo_open, hi_open=hi_open)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number in {allowed}, got {value!r}") from None
    if isinstance(value, bool) or not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number in {allowed}, got {value!r}")
    too_low = number <= lo if lo_open else number < lo
    too_high = number >= hi if hi_open else number > hi
    if too_low or too_high:
        raise ValueError(f"{name} must be a number in {allowed}, got {number:g}")
    return number


def check_choice(name: str, value, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise listing them."""
    choices = tuple(choices)
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value


def _is_integral(value) -> bool:
    try:
        return float(value) == int(value)
    except (TypeError, ValueError, OverflowError):
        return False
