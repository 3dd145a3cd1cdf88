"""Run a simulated board: a :class:`scgen.link.HostLinkTop` fed through the line model.

The host side plans its commands with the encoder of :mod:`scgen.host.protocol`; each command
is put on the simulated ``rx`` line as 8N1 frames, followed by enough idle time for the reply
(and the windows a START runs). The whole ``tx`` trace is decoded with the line model and cut
into one reply per command by time. :class:`ScriptedTransport` then serves those replies to a
:class:`scgen.host.HostLink`, so the driver runs against what the simulated hardware sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..link.protocol import CMD_START, IDENTITY_BYTES
from ..link.top import HostLinkTop
from .uart import decode_line, line_levels

__all__ = ["ScriptedTransport", "SimResult", "reply_cycles", "simulate", "simulate_many"]


@dataclass
class SimResult:
    """What the host saw: one reply per command, plus the raw line traces."""

    replies: list[bytes]
    rx: np.ndarray
    tx: np.ndarray
    sends: list[int]  # cycle at which each command's first frame starts
    leds: np.ndarray | None = None  # the LED outputs on every cycle (None without LEDs)


def reply_cycles(top: HostLinkTop, command: bytes) -> int:
    """Cycles a host waits after sending ``command`` before the next one (reply included)."""
    lay, frame = top.layout, 10 * top.clocks_per_bit
    longest = max(3, 1 + IDENTITY_BYTES, 1 + lay.read_bytes)  # any reply, errors included
    run = 0
    if command[:1] == bytes([CMD_START]) and len(command) >= 3:
        run = int.from_bytes(command[1:3], "little") * (lay.window_length + 2)
    return run + (longest + 2) * frame + 16


def _schedule(top: HostLinkTop, commands, waits) -> tuple[np.ndarray, list[int]]:
    cpb = top.clocks_per_bit
    chunks, sends, t = [np.ones(4 * cpb, dtype=np.uint8)], [], 4 * cpb
    waits = list(waits) if waits is not None else [None] * len(commands)
    for command, wait in zip(commands, waits, strict=True):
        raw = isinstance(command, np.ndarray)
        levels = np.asarray(command, dtype=np.uint8) if raw else line_levels(command, cpb)
        if wait is None:
            wait = reply_cycles(top, b"" if raw else bytes(command))
        sends.append(t)
        chunks += [levels, np.ones(wait, dtype=np.uint8)]
        t += len(levels) + wait
    return np.concatenate(chunks), sends


def simulate_many(
    tops: Sequence[HostLinkTop],
    commands: Sequence[Sequence[bytes | np.ndarray]],
    *,
    waits=None,
    backend: str = "pysim",
    build_dir=None,
) -> list[SimResult]:
    """Run several boards side by side in one simulation (one Verilator build).

    ``commands[k]`` are sent to ``tops[k]`` one after the other; a command is bytes (sent as
    8N1 frames) or an array of raw line levels (for malformed frames). ``waits[k]``, when
    given, lists the idle cycles after each command (None: :func:`reply_cycles`).
    """
    from .. import sim

    waits = waits if waits is not None else [None] * len(tops)
    plans = [_schedule(top, cmds, w) for top, cmds, w in zip(tops, commands, waits, strict=True)]
    cycles = max(len(rx) for rx, _ in plans)
    stimuli = [
        {"rx": np.concatenate([rx, np.ones(cycles - len(rx), dtype=np.uint8)])} for rx, _ in plans
    ]
    traces, _ = sim.run_many(list(tops), stimuli, cycles, backend=backend, build_dir=build_dir)
    results = []
    for top, (_rx, sends), stim, trace in zip(tops, plans, stimuli, traces, strict=True):
        tx = np.asarray(trace["tx"]).astype(np.uint8)
        frames = decode_line(tx, top.clocks_per_bit)
        bounds = [*sends, cycles]
        replies = [
            bytes(b for start, b, _ok in frames if bounds[k] <= start < bounds[k + 1])
            for k in range(len(sends))
        ]
        leds = np.asarray(trace["leds"]) if "leds" in trace else None
        results.append(SimResult(replies, stim["rx"], tx, sends, leds))
    return results


def simulate(
    top: HostLinkTop,
    commands: Sequence[bytes | np.ndarray],
    *,
    waits: Sequence[int | None] | None = None,
    backend: str = "pysim",
    build_dir=None,
) -> SimResult:
    """Send ``commands`` one after the other to ``top``; see :func:`simulate_many`."""
    return simulate_many(
        [top],
        [commands],
        waits=None if waits is None else [waits],
        backend=backend,
        build_dir=build_dir,
    )[0]


class ScriptedTransport:
    """A byte transport that replays recorded replies, one per expected command.

    ``write`` checks that the host sends exactly the next expected command and queues that
    command's reply for ``read``.
    """

    def __init__(self, commands: Sequence[bytes], replies: Sequence[bytes]):
        self._script = list(zip(commands, replies, strict=True))
        self._pending = bytearray()
        self.written: list[bytes] = []

    def write(self, data: bytes) -> int:
        data = bytes(data)
        if not self._script:
            raise AssertionError(f"The host sent {data.hex(' ')} after the script ended")
        command, reply = self._script.pop(0)
        if data != bytes(command):
            raise AssertionError(
                f"The host sent {data.hex(' ')}, expected {bytes(command).hex(' ')}"
            )
        self.written.append(data)
        self._pending += reply
        return len(data)

    def read(self, n: int) -> bytes:
        out = bytes(self._pending[:n])
        del self._pending[:n]
        return out

    @property
    def done(self) -> bool:
        """Every scripted command was sent and every reply byte read."""
        return not self._script and not self._pending
