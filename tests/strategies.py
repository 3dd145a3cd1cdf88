"""Hypothesis strategies over the registry's example params: one seed per example, drawn and
shrunk by hypothesis, turned into params by the primitive's own ``example(rng)``. There is no
second registry here: a registered primitive is drawn from the moment it is registered."""

import numpy as np
from hypothesis import strategies as st

from scgen.primitives import PRIMITIVES


def params(name: str) -> st.SearchStrategy:
    """Random valid params of the registered primitive ``name``."""
    example = PRIMITIVES[name].example
    return st.integers(0, 2**63 - 1).map(lambda seed: example(np.random.default_rng(seed)))
