"""A bit-level model of the serial line, for simulating a board without one.

It is written from the 8N1 frame definition alone, independently of the hardware UART and its
twin, so that a simulated board is checked against an outside view of the line.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

__all__ = ["FramingError", "decode_line", "frame_levels", "line_levels"]


class FramingError(ValueError):
    """A frame on the line whose stop bit is 0."""


def frame_levels(byte: int, clocks_per_bit: int, *, stop: int = 1) -> np.ndarray:
    """Return the line levels of one 8N1 frame (start bit, data LSB first, stop bit)."""
    if not 0 <= byte <= 255:
        raise ValueError(f"Byte must be between 0 and 255, not {byte!r}")
    bits = [0, *((byte >> k) & 1 for k in range(8)), stop]
    return np.repeat(np.array(bits, dtype=np.uint8), clocks_per_bit)


def line_levels(data: bytes | Iterable[int], clocks_per_bit: int) -> np.ndarray:
    """Return the per-cycle line levels that send ``data`` back to back."""
    frames = [frame_levels(b, clocks_per_bit) for b in bytes(data)]
    return np.concatenate(frames) if frames else np.zeros(0, dtype=np.uint8)


def decode_line(
    levels: np.ndarray,
    clocks_per_bit: int,
    *,
    strict: bool = True,
) -> list[tuple[int, int, bool]]:
    """Decode a line trace into frames ``(first cycle, byte, stop bit ok)``.

    A frame starts at a high-to-low edge (or a low first cycle); each bit is read in its
    middle. With ``strict`` (the default) a bad stop bit raises :class:`FramingError`.
    """
    levels = np.asarray(levels).astype(np.uint8)
    cpb, half = clocks_per_bit, clocks_per_bit // 2
    frames, t, prev = [], 0, 1
    while t < len(levels):
        if levels[t] == 0 and prev == 1:
            if t + 9 * cpb + half >= len(levels):
                break  # a frame cut off by the end of the trace
            if levels[t + half] == 0:
                byte = sum(int(levels[t + half + cpb * (k + 1)]) << k for k in range(8))
                ok = bool(levels[t + half + 9 * cpb])
                if strict and not ok:
                    raise FramingError(f"The frame at cycle {t} has a stop bit of 0")
                frames.append((t, byte, ok))
                t += half + 9 * cpb + 1
                prev = levels[t - 1]
                continue
        prev = levels[t]
        t += 1
    return frames
