"""Argument checks shared by the layers (one sentence: the thing, the rule, the value)."""

from __future__ import annotations

import numpy as np

__all__ = ["check_int", "check_seed"]


def check_int(owner: str, name: str, value: object, lo: int = 1) -> int:
    """``value`` as an int, refused unless it is an integer (not a bool) of at least ``lo``."""
    if not isinstance(value, int | np.integer) or isinstance(value, bool):
        raise TypeError(f"{owner} {name} must be an integer, not {value!r}")
    if value < lo:
        raise ValueError(f"{owner} {name} must be at least {lo}, not {value!r}")
    return int(value)


def check_seed(owner: str, seed: object) -> int:
    """An integer seed taken mod 2**64."""
    if not isinstance(seed, int | np.integer) or isinstance(seed, bool):
        raise TypeError(f"{owner} seed must be an integer, not {seed!r}")
    return int(seed) % (1 << 64)
