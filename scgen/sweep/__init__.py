"""Design-space sweeps on dask.distributed and a resource planner that needs no synthesis.

* :func:`run_sweep`: a grid over graph attributes and boards; per point the twin's figures,
  the planner's estimate and optionally a real build; resumable; csv, parquet, summary, plot;
* :func:`plan`: LUT, FF, carry, BRAM, DSP and fmax per op and in total, cycles per window, and
  the stream length for a stated error, from models fitted on real builds.
"""

from .planner import Model, Plan, fit, load_model, plan, sobol_length_for, stream_length_for
from .run import Param, apply_point, evaluate_point, grid, parse_param, run_sweep

__all__ = [
    # sweeps
    "Param",
    "apply_point",
    "evaluate_point",
    "grid",
    "parse_param",
    "run_sweep",
    # planner
    "Model",
    "Plan",
    "fit",
    "load_model",
    "plan",
    "sobol_length_for",
    "stream_length_for",
]
