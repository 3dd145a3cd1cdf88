"""Where Yosys puts a ROM and a constant multiply on each family, by its own rules.

**ROMs.** ``memory_libmap`` (Yosys ``passes/memory/memory_libmap.cc``, run by ``synth_ice40``,
``synth_ecp5`` and ``synth_gowin``) gives every memory a cost per candidate and keeps the
cheapest:

* in logic (the fallback, ``memory_map``): ``width * depth * logic_cost_rom`` for a memory
  without write ports, ``logic_cost_rom`` being 1/16 by default (no synth script changes it),
  truncated to an integer before the comparison;
* in a block RAM of the family's library (``share/ice40/brams.txt``,
  ``share/lattice/brams_16kd.txt``, ``share/gowin/brams.txt``): for each data width the block
  offers (``widths``, at depth ``2**(abits - i)`` for the ``i``-th), ``cost`` per block times
  the blocks (``ceil(depth / block depth) * ceil(width / block width)``), plus 0.5 per read
  multiplexer input beyond the first for each data bit when the depth spans several blocks;
* distributed (LUT) RAM is no candidate for a ROM: the ECP5 (``lutrams_trellis.txt``,
  ``$__TRELLIS_DPR16X4_``) and Gowin (``lutrams.txt``, ``$__GOWIN_LUTRAM_``) LUT RAMs are
  marked ``prune_rom``; iCE40 has none.

A block RAM is chosen only when its cost is strictly lower: a 4 x 512 ROM (2048 bits, logic
cost 128) stays in logic on ECP5 and Gowin (a 16 Kbit block costs 128) but takes one iCE40
RAM4K (cost 64). The ROM has one synchronous read port and no reset or enable to emulate, so
no emulation cost is added.

**Constant multiplies.** ``mul2dsp`` maps a ``$mul`` to a DSP only when both operands have at
least the family's minimum width (``synth_ice40 -dsp`` and ``synth_ecp5``: 2 bits;
``synth_gowin``: 4 bits, its smallest block being ``MULT9X9``); a constant's trailing zeros are
a shift, not multiplier width (a factor of 448 = 7 << 6 is a 3-bit multiply: no Gowin DSP).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DSP_MIN_WIDTH",
    "LIBRARIES",
    "LOGIC_COST_ROM",
    "BlockRam",
    "RomMapping",
    "dsp_multiply",
    "map_rom",
    "odd_part",
]

LOGIC_COST_ROM = 1 / 16  # memory_libmap's default -logic-cost-rom
FACTOR_MUX = 0.5  # memory_libmap's cost of one read multiplexer input bit
DSP_MIN_WIDTH = {"ice40": 2, "ecp5": 2, "gowin": 4}  # mul2dsp's DSP_A/B_MINWIDTH


@dataclass(frozen=True)
class BlockRam:
    """A block RAM of a Yosys memory library: ``abits`` address bits at the narrowest of its
    ``widths`` (each next width halves the depth) and its ``cost`` per block."""

    name: str
    abits: int
    widths: tuple[int, ...]
    cost: float


_DP16KD = BlockRam("$__DP16KD_", 14, (1, 2, 4, 9, 18), 128)
_PDPW16KD = BlockRam("$__PDPW16KD_", 14, (1, 2, 4, 9, 18, 36), 128)
_GOWIN_SP = BlockRam("$__GOWIN_SP_", 14, (1, 2, 4, 9, 18, 36), 128)
_GOWIN_DP = BlockRam("$__GOWIN_DP_", 14, (1, 2, 4, 9, 18), 128)
_GOWIN_SDP = BlockRam("$__GOWIN_SDP_", 14, (1, 2, 4, 9, 18, 36), 128)
_ICE40_RAM4K = BlockRam("$__ICE40_RAM4K_", 11, (2, 4, 8, 16), 64)

LIBRARIES: dict[str, tuple[BlockRam, ...]] = {
    "ice40": (_ICE40_RAM4K,),  # SPRAM: synth_ice40 maps it only with -spram
    "ecp5": (_DP16KD, _PDPW16KD),
    "gowin": (_GOWIN_SP, _GOWIN_DP, _GOWIN_SDP),
}


@dataclass(frozen=True)
class RomMapping:
    """Where a ROM goes: ``blocks`` block RAMs (with ``mux_bits`` read multiplexer input bits
    in logic in front of the data) or, with no blocks, ``logic_bits`` bits in LUTs."""

    blocks: int
    mux_bits: int
    logic_bits: int
    cost: float


def _block_cost(ram: BlockRam, width: int, depth: int) -> tuple[float, int, int]:
    """The cheapest geometry of a ``width`` x ``depth`` ROM in ``ram``: cost, blocks, mux bits
    (``MemMapping::handle_geom`` for one read port, no write port, no wide ports)."""
    best: tuple[float, int, int] | None = None
    for i, unit in enumerate(ram.widths):
        block_depth = 1 << (ram.abits - i)
        mult_a = -(-depth // block_depth)
        blocks = mult_a * -(-width // unit)
        mux = (mult_a - 1) * width
        cost = ram.cost * blocks + FACTOR_MUX * mux
        if best is None or cost < best[0]:
            best = (cost, blocks, mux)
    assert best is not None
    return best


def _check_family(family: str) -> None:
    if family not in LIBRARIES:
        raise ValueError(
            f"Planner mapping rules must be of a family Yosys's rules are known for "
            f"({', '.join(sorted(LIBRARIES))}), not {family!r}"
        )


def map_rom(family: str, width: int, depth: int) -> RomMapping:
    """Where Yosys's ``memory_libmap`` puts a ``width``-bit, ``depth``-word ROM on ``family``."""
    _check_family(family)
    logic = int(width * depth * LOGIC_COST_ROM)  # memory_libmap: int best = map.logic_cost
    chosen = RomMapping(0, 0, width * depth, float(logic))
    for ram in LIBRARIES[family]:
        cost, blocks, mux = _block_cost(ram, width, depth)
        if cost < chosen.cost:
            chosen = RomMapping(blocks, mux, 0, cost)
    return chosen


def odd_part(constant: int) -> int:
    """``|constant|`` without its trailing zeros (they are a shift); 0 stays 0."""
    k = abs(constant)
    return k >> ((k & -k).bit_length() - 1) if k else 0


def dsp_multiply(family: str, bits: int, constant: int) -> bool:
    """Whether Yosys puts a ``bits``-bit value times ``constant`` in a DSP on ``family``: a
    multiply at all (not a power of two, a shift) with both operands at least the family's
    minimum DSP width, the constant's trailing zeros not counted."""
    _check_family(family)
    k = odd_part(constant)
    if k <= 1:
        return False  # a power of two (or zero): a shift
    return min(bits, k.bit_length()) >= DSP_MIN_WIDTH[family]
