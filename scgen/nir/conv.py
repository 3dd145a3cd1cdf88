"""Conv1d/Conv2d/SumPool2d/AvgPool2d in numpy: direct evaluation and the unrolled dense matrix.

Layout is NIR's (PyTorch's): a sample is channel-first ``(C, *spatial)``, flattened in C order.
``padding`` here is explicit, ``(d, 2)`` of (before, after) zeros per spatial axis (NIR's
``'same'`` can be asymmetric). Average pooling counts the padding (PyTorch's default
``count_include_pad=True``): it is the sum over the window divided by ``kh * kw``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["CONVS", "POOLS", "dense", "evaluate", "out_spatial", "same_padding"]

CONVS = ("Conv1d", "Conv2d")
POOLS = ("SumPool2d", "AvgPool2d")


def out_spatial(spatial, kernel, stride, padding, dilation) -> tuple[int, ...]:
    """PyTorch's output size per axis: ``floor((n + before + after - d (k - 1) - 1) / s) + 1``."""
    return tuple(
        (int(n) + int(p[0]) + int(p[1]) - int(d) * (int(k) - 1) - 1) // int(s) + 1
        for n, k, s, p, d in zip(spatial, kernel, stride, padding, dilation, strict=True)
    )


def same_padding(kernel, dilation) -> np.ndarray:
    """PyTorch's ``padding='same'`` (stride 1): ``d (k - 1)`` zeros, the odd one after."""
    total = [int(d) * (int(k) - 1) for k, d in zip(kernel, dilation, strict=True)]
    return np.array([[t // 2, t - t // 2] for t in total], dtype=np.int64)


def _geometry(kind: str, p: dict):
    """(kernel, stride, padding (d, 2), dilation) of a conv or pool node's parameters."""
    if kind in CONVS:
        return p["weight"].shape[2:], p["stride"], p["padding"], p["dilation"]
    pad = np.stack([p["padding"], p["padding"]], axis=1)
    return p["kernel_size"], p["stride"], pad, np.ones(2, dtype=np.int64)


def _windows(padded: np.ndarray, k, stride, dilation, out) -> np.ndarray:
    """``padded[..., c, k*dil + stride*o]`` for every output position ``o``, kernel tap ``k``."""
    sl = tuple(
        slice(int(ki) * int(di), int(ki) * int(di) + int(si) * (int(oi) - 1) + 1, int(si))
        for ki, di, si, oi in zip(k, dilation, stride, out, strict=True)
    )
    index: tuple[Any, ...] = (Ellipsis, *sl)
    return padded[index]


def evaluate(kind: str, p: dict, x: np.ndarray) -> np.ndarray:
    """Apply a conv or pool node to ``x`` ``(batch, n_in)``; returns ``(batch, n_out)``."""
    shape = tuple(int(s) for s in p["input_shape"])
    kernel, stride, pad, dil = _geometry(kind, p)
    out = out_spatial(shape[1:], kernel, stride, pad, dil)
    batch = x.shape[0]
    xs = x.reshape(batch, *shape)
    xp = np.pad(xs, [(0, 0), (0, 0), *[(int(a), int(b)) for a, b in pad]])
    if kind in POOLS:
        y = np.zeros((batch, shape[0], *out))
        for k in np.ndindex(*(int(k) for k in kernel)):
            y += _windows(xp, k, stride, dil, out)
        if kind == "AvgPool2d":
            y /= float(np.prod(kernel))
        return y.reshape(batch, -1)
    w, groups = p["weight"], int(p["groups"])
    c_out, c_in_g = w.shape[:2]
    c_out_g = c_out // groups
    y = np.zeros((batch, c_out, *out))
    for k in np.ndindex(*w.shape[2:]):
        patch = _windows(xp, k, stride, dil, out)  # (batch, C_in, *out)
        for g in range(groups):
            wk = w[slice(g * c_out_g, (g + 1) * c_out_g), slice(None), *k]
            y[:, g * c_out_g : (g + 1) * c_out_g] += np.einsum(
                "oc,bc...->bo...", wk, patch[:, g * c_in_g : (g + 1) * c_in_g]
            )
    y += p["bias"].reshape(1, c_out, *([1] * len(out)))
    return y.reshape(batch, -1)


def dense(kind: str, p: dict) -> tuple[np.ndarray, np.ndarray]:
    """The node as ``y = W x + b``: the unrolled (Toeplitz) ``W`` ``[n_out, n_in]`` and ``b``.

    Every kernel tap is written at each output position it reaches (padding taps reach no
    input and are dropped): sum pooling gives weights 1, average pooling ``1 / (kh kw)``.
    """
    shape = tuple(int(s) for s in p["input_shape"])
    kernel, stride, pad, dil = _geometry(kind, p)
    out = out_spatial(shape[1:], kernel, stride, pad, dil)
    n_in = int(np.prod(shape))
    # every padded input position holds its flat input index, padding holds -1
    index = np.pad(
        np.arange(n_in).reshape(shape),
        [(0, 0), *[(int(a), int(b)) for a, b in pad]],
        constant_values=-1,
    )
    if kind in POOLS:
        c = shape[0]
        rows = np.arange(c * int(np.prod(out))).reshape(c, *out)
        m = np.zeros((rows.size, n_in))
        tap = 1.0 if kind == "SumPool2d" else 1.0 / float(np.prod(kernel))
        for k in np.ndindex(*(int(k) for k in kernel)):
            cols = _windows(index, k, stride, dil, out)
            ok = cols >= 0
            m[rows[ok], cols[ok]] += tap
        return m, np.zeros(rows.size)
    w, groups = p["weight"], int(p["groups"])
    c_out, c_in_g = w.shape[:2]
    c_out_g = c_out // groups
    rows = np.arange(c_out * int(np.prod(out))).reshape(c_out, *out)
    m = np.zeros((rows.size, n_in))
    for k in np.ndindex(*w.shape[2:]):
        cols = _windows(index, k, stride, dil, out)  # (C_in, *out)
        for o in range(c_out):
            g = o // c_out_g
            for c in range(c_in_g):
                src = cols[g * c_in_g + c]
                ok = src >= 0
                m[rows[o][ok], src[ok]] += w[o, c, *k]
    return m, np.repeat(p["bias"], int(np.prod(out)))
