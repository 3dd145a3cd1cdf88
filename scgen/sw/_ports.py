"""Input normalisation shared by the twins: array-likes in, checked (batch, cycle) arrays out."""

from __future__ import annotations

import numpy as np

__all__ = [
    "as_stimulus",
    "bit_range",
    "finish",
    "per_instance",
    "signed_range",
    "unsigned_range",
]


def unsigned_range(width: int) -> tuple[int, int]:
    return 0, (1 << width) - 1


def signed_range(width: int) -> tuple[int, int]:
    return -(1 << (width - 1)), (1 << (width - 1)) - 1


def bit_range() -> tuple[int, int]:
    return 0, 1


def as_stimulus(
    owner: str,
    ports: dict[str, tuple[object, tuple[int, int], type]],
    *,
    cycles: int | None = None,
    batch: int | None = None,
    defaults: dict[str, int] | None = None,
) -> tuple[dict[str, np.ndarray], bool]:
    """Check and broadcast input-port arrays to one ``(batch, cycles)`` shape.

    ``ports`` maps a port name to ``(array_like_or_None, (lo, hi), dtype)``. ``None`` takes the
    value from ``defaults``; a ``dtype`` of ``None`` keeps the caller's integer dtype (no
    copy). Returns the broadcast arrays (read-only views where possible) and
    whether every given input was 1-D (the caller then returns 1-D outputs).
    """
    defaults = defaults or {}
    arrays: dict[str, np.ndarray] = {}
    for name, (value, (lo, hi), dtype) in ports.items():
        if value is None:
            if name not in defaults:
                raise TypeError(f"{owner} input {name!r} is required")
            value = defaults[name]
        a = np.asarray(value)
        if a.dtype == np.bool_:
            a = a.astype(np.uint8)
        if not np.issubdtype(a.dtype, np.integer):
            raise TypeError(f"{owner} input {name!r} must hold integers, not {a.dtype} values")
        if a.ndim > 2:
            raise ValueError(
                f"{owner} input {name!r} must be 1-D (cycles) or 2-D (batch, cycles), "
                f"not {a.ndim}-D"
            )
        if a.size:
            amin, amax = int(a.min()), int(a.max())
            if amin < lo or amax > hi:
                bad = amin if amin < lo else amax
                raise ValueError(f"{owner} input {name!r} must be between {lo} and {hi}, not {bad}")
        arrays[name] = a if dtype is None else a.astype(dtype, copy=False)
    given = [a for n, a in arrays.items() if ports[n][0] is not None]
    one_d = all(a.ndim <= 1 for a in given)
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
    except ValueError:
        shapes = ", ".join(f"{n}{a.shape}" for n, a in arrays.items())
        raise ValueError(f"{owner} inputs must have broadcastable shapes, not {shapes}") from None
    if len(shape) == 0:
        if cycles is None:
            raise TypeError(f"{owner} needs cycles=N when no input is an array over cycles")
        shape = (cycles,)
    elif cycles is not None and shape[-1] == 1:
        shape = (*shape[:-1], cycles)  # one value per instance, held for every cycle
    elif cycles is not None and shape[-1] != cycles:
        raise ValueError(f"{owner} cycles must match the inputs' {shape[-1]} cycles, not {cycles}")
    if batch is not None:
        if len(shape) == 2 and shape[0] not in (1, batch):
            raise ValueError(
                f"{owner} inputs have {shape[0]} instances but {batch} per-instance values "
                f"were given"
            )
        shape, one_d = (batch, shape[-1]), False
    elif len(shape) == 1:
        shape = (1, shape[0])
    return {n: np.broadcast_to(a, shape) for n, a in arrays.items()}, one_d


def finish(one_d: bool, *outputs: np.ndarray) -> tuple[np.ndarray, ...]:
    """Drop the batch axis again when every input was 1-D."""
    return tuple(o[0] if one_d else o for o in outputs)


def per_instance(owner: str, name: str, values: object, lo: int, hi: int, width: int) -> np.ndarray:
    """Check one value per batch instance (seeds, scrambles) and return them as int64."""
    a = np.atleast_1d(np.asarray(values))
    if a.ndim != 1 or not np.issubdtype(a.dtype, np.integer):
        raise TypeError(f"{owner} {name} must be a 1-D array of integers, not {values!r}")
    if a.size and (int(a.min()) < lo or int(a.max()) > hi):
        bad = int(a.min()) if int(a.min()) < lo else int(a.max())
        raise ValueError(
            f"{owner} {name} must be between {lo} and {hi} for width {width}, not {bad}"
        )
    return a.astype(np.int64)


def check_params(owner: str, kind: type, params: object) -> None:
    """Refuse parameters that are not an instance of the primitive's params class."""
    if not isinstance(params, kind):
        raise TypeError(
            f"{owner} parameters must be an instance of {kind.__name__}, not {params!r}"
        )
