"""The harness top: several primitive instances side by side, one port namespace each."""

from __future__ import annotations

import numpy as np
from amaranth.hdl import Module, Shape, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import Flow, In, Out

__all__ = ["HarnessTop", "port_specs"]


def port_specs(component: wiring.Component) -> list[tuple[str, Flow, int, bool]]:
    """Return ``(name, flow, width, signed)`` for every port of a flat component signature."""
    specs = []
    for name, member in component.signature.members.items():
        if not member.is_port:
            raise TypeError(
                f"Harness needs a flat signature; member {name!r} of {component!r} is not a port"
            )
        shape = Shape.cast(member.shape)
        specs.append((name, member.flow, shape.width, shape.signed))
    return specs


def check_stimulus(component: wiring.Component, stimulus: dict) -> None:
    """Raise ``ValueError`` if a stimulus value does not fit its input port (no truncation)."""
    for name, flow, width, signed in port_specs(component):
        if flow is not Flow.In or name not in stimulus:
            continue
        v = np.asarray(stimulus[name])
        lo, hi = (-(1 << (width - 1)), (1 << (width - 1)) - 1) if signed else (0, (1 << width) - 1)
        kind = f"{width}-bit {'signed' if signed else 'unsigned'}"
        if v.dtype.kind == "f":
            bad = ~np.isfinite(v) | (v != np.floor(v))
            if bad.any():
                first = v[bad].flat[0].item()
                raise ValueError(
                    f"Stimulus of {kind} port {name!r} must be integers, not {first!r}"
                )
        elif v.dtype.kind not in "biuO":
            raise ValueError(f"Stimulus of {kind} port {name!r} must be integers, not {v.dtype}")
        if v.size == 0:
            continue
        values = v.ravel().tolist() if v.dtype.kind == "O" or width > 62 else None
        low, high = (min(values), max(values)) if values is not None else (v.min(), v.max())
        if low < lo or high > hi:
            worst = int(low if low < lo else high)
            raise ValueError(
                f"Stimulus of {kind} port {name!r} must be within [{lo}, {hi}], not {worst!r}"
            )


class HarnessTop(wiring.Component):
    """Wrap ``duts`` as submodules ``c0``, ``c1``, ...; port ``p`` of ``ck`` becomes ``ck__p``.

    A one-bit ``heartbeat`` register guarantees a ``sync`` domain (and so ``clk``/``rst`` ports)
    even when every DUT is combinational, so one driver fits every primitive.
    """

    def __init__(self, duts: list[wiring.Component]):
        self._duts = list(duts)
        members = {"heartbeat": Out(1)}
        for k, dut in enumerate(self._duts):
            for name, member in dut.signature.members.items():
                members[f"c{k}__{name}"] = (In if member.flow is Flow.In else Out)(member.shape)
        super().__init__(members)

    def elaborate(self, platform):
        m = Module()
        beat = Signal()
        m.d.sync += beat.eq(~beat)
        m.d.comb += self.heartbeat.eq(beat)
        for k, dut in enumerate(self._duts):
            m.submodules[f"c{k}"] = dut
            for name, member in dut.signature.members.items():
                outer, inner = getattr(self, f"c{k}__{name}"), getattr(dut, name)
                if member.flow is Flow.In:
                    m.d.comb += inner.eq(outer)
                else:
                    m.d.comb += outer.eq(inner)
        return m
