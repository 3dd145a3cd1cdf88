"""The harness top: several primitive instances side by side, one port namespace each."""

from __future__ import annotations

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
