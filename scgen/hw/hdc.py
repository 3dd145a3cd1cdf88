"""Hyperdimensional computing in hardware: bind, bundle, permute, Hamming distance and an
associative-memory query over block RAM (parameters in :mod:`scgen.params`)."""

from __future__ import annotations

from amaranth.hdl import Cat, Const, Module, Mux, Signal
from amaranth.lib import memory
from amaranth.lib.wiring import In, Out

from ..params import AssocQueryParams, BindParams, BundleParams, HammingParams, PermuteParams
from ._base import Primitive

__all__ = ["AssocQuery", "Bind", "Bundle", "Hamming", "Permute"]


def _popcount(value, width: int):
    """Sum of the bits of ``value`` as a balanced adder tree."""
    terms = [value[k] for k in range(width)]
    if not terms:
        return Const(0, 1)
    while len(terms) > 1:
        terms = [
            terms[k] + terms[k + 1] if k + 1 < len(terms) else terms[k]
            for k in range(0, len(terms), 2)
        ]
    return terms[0]


class Bind(Primitive):
    """HDC bind.

    Members
    -------
    a, b : In(lanes)
        One hypervector word per cycle each.
    o : Out(lanes)
        ``a ^ b``, combinational.
    """

    PARAMS = BindParams

    def __init__(self, params: BindParams):
        n = getattr(params, "lanes", 1)
        super().__init__(params, {"a": In(n), "b": In(n), "o": Out(n)})

    def elaborate(self, platform):
        m = Module()
        m.d.comb += self.o.eq(self.a ^ self.b)
        return m


class Bundle(Primitive):
    """HDC bundle (strict majority), lane by lane.

    Members
    -------
    a0 .. a{n-1} : In(lanes)
        The bundled streams' words.
    o : Out(lanes)
        Per lane, 1 when more than ``n // 2`` inputs are 1; combinational.
    """

    PARAMS = BundleParams

    def __init__(self, params: BundleParams):
        lanes = getattr(params, "lanes", 1)
        names = params.port_names() if isinstance(params, BundleParams) else ()
        super().__init__(params, {**{k: In(lanes) for k in names}, "o": Out(lanes)})

    def elaborate(self, platform):
        m = Module()
        p = self.params
        ins = [getattr(self, k) for k in p.port_names()]
        for lane in range(p.lanes):
            count = _popcount(Cat(*(a[lane] for a in ins)), p.n)
            m.d.comb += self.o[lane].eq(count > p.threshold)
        return m


class Permute(Primitive):
    """HDC permute: rotation of a streamed hypervector, one vector of latency.

    Vectors arrive back to back, word ``j`` on the ``j``-th enabled cycle of each; a word
    counter wraps every ``words`` words and ``start`` forces it to 0 (this cycle's ``a`` is
    word 0).

    Members
    -------
    start : In(1)
        This cycle carries word 0 of a vector (when ``en``).
    en : In(1)
        Take ``a`` this cycle; when 0 the unit holds its state.
    a : In(lanes)
        The current word of the incoming vector.
    o : Out(lanes)
        Word ``j`` (``j`` = this cycle's word index) of the previous complete vector rotated by
        ``shift`` (bit ``i`` to ``(i + shift) % dimension``); combinational; 0 until a vector
        has completed.
    valid : Out(1)
        A complete vector has been received since reset (``o`` is meaningful).
    """

    PARAMS = PermuteParams

    def __init__(self, params: PermuteParams):
        lanes = getattr(params, "lanes", 1)
        super().__init__(
            params, {"start": In(1), "en": In(1), "a": In(lanes), "o": Out(lanes), "valid": Out(1)}
        )

    def elaborate(self, platform):
        m = Module()
        p = self.params
        cur = Signal(p.dimension)  # the last `words` words, oldest at the bottom
        prev = Signal(p.dimension)
        j, j_now = Signal(range(p.words)), Signal(range(p.words))
        done = Signal()
        m.d.comb += [j_now.eq(Mux(self.start, 0, j)), self.valid.eq(done)]
        shifted = Cat(cur[p.lanes :], self.a)
        with m.If(self.en):
            m.d.sync += cur.eq(shifted)
            with m.If(j_now == p.words - 1):
                m.d.sync += [j.eq(0), prev.eq(shifted), done.eq(1)]
            with m.Else():
                m.d.sync += j.eq(j_now + 1)
        rotated = prev.rotate_left(p.rotation)
        m.d.comb += self.o.eq(rotated.word_select(j_now, p.lanes))
        return m


class Hamming(Primitive):
    """Hamming distance of two streamed hypervectors (XOR, then a window counter).

    Members
    -------
    start : In(1)
        Open a window of ``words`` cycles whose first word is this cycle's; restarts a running
        window.
    a, b : In(lanes)
        The two vectors' current words.
    count : Out(count_width)
        Differing bits of the last finished window, registered, held until the next window
        finishes; 0 after reset.
    done : Out(1)
        1 for one cycle, right after a window's last word (``count`` is new then).
    busy : Out(1)
        1 on every cycle whose words are counted (combinational).
    """

    PARAMS = HammingParams

    def __init__(self, params: HammingParams):
        lanes = getattr(params, "lanes", 1)
        cw = getattr(params, "count_width", 1)
        super().__init__(
            params,
            {
                "start": In(1),
                "a": In(lanes),
                "b": In(lanes),
                "count": Out(cw),
                "done": Out(1),
                "busy": Out(1),
            },
        )

    def elaborate(self, platform):
        m = Module()
        p = self.params
        cw = p.count_width
        acc, result, finished = Signal(cw), Signal(cw), Signal()
        left = Signal(range(p.words + 1))
        acc_in, left_in = Signal(cw), Signal(range(p.words + 1))
        diff = Signal(range(p.lanes + 1))
        m.d.comb += [
            acc_in.eq(Mux(self.start, 0, acc)),
            left_in.eq(Mux(self.start, p.words, left)),
            diff.eq(_popcount(self.a ^ self.b, p.lanes)),
            self.count.eq(result),
            self.done.eq(finished),
            self.busy.eq(left_in != 0),
        ]
        m.d.sync += finished.eq(0)
        with m.If(left_in != 0):
            m.d.sync += [acc.eq(acc_in + diff), left.eq(left_in - 1)]
            with m.If(left_in == 1):
                m.d.sync += [result.eq(acc_in + diff), finished.eq(1)]
        return m


class AssocQuery(Primitive):
    """Associative-memory query: the stored item nearest to the query by Hamming distance.

    Items and the query are written word by word into two memories (block RAM on an FPGA); a
    search reads one word of each per cycle, ``items * words`` cycles in all, and keeps the
    running minimum (ties go to the lowest index). Reads see a memory as it was before this
    cycle's write.

    Members
    -------
    wr_en, wr_addr, wr_data : In(1), In(addr), In(lanes)
        Write word ``wr_data`` at ``wr_addr = item * words + word`` of the item memory.
    q_wr, q_addr, q_data : In(1), In(word), In(lanes)
        Write word ``q_addr`` of the query.
    start : In(1)
        Begin a search (ignored while ``busy``).
    index : Out(item_bits)
        Nearest item of the last finished search, registered; 0 after reset.
    distance : Out(distance_width)
        Its Hamming distance to the query; 0 after reset.
    done : Out(1)
        1 for one cycle when a search has finished (``index`` and ``distance`` are new),
        ``latency`` cycles after the accepted ``start``.
    busy : Out(1)
        A search is running (registered).
    """

    PARAMS = AssocQueryParams

    def __init__(self, params: AssocQueryParams):
        p = params if isinstance(params, AssocQueryParams) else None
        lanes = p.lanes if p else 1
        super().__init__(
            params,
            {
                "wr_en": In(1),
                "wr_addr": In(range(p.depth) if p else 1),
                "wr_data": In(lanes),
                "q_wr": In(1),
                "q_addr": In(range(p.words) if p else 1),
                "q_data": In(lanes),
                "start": In(1),
                "index": Out(p.item_bits if p else 1),
                "distance": Out(p.distance_width if p else 1),
                "done": Out(1),
                "busy": Out(1),
            },
        )

    def elaborate(self, platform):
        m = Module()
        p = self.params
        m.submodules.items = items = memory.Memory(shape=p.lanes, depth=p.depth, init=[])
        m.submodules.query = query = memory.Memory(shape=p.lanes, depth=p.words, init=[])
        item_w, item_r = items.write_port(), items.read_port()
        query_w, query_r = query.write_port(), query.read_port()
        m.d.comb += [
            item_w.en.eq(self.wr_en),
            item_w.addr.eq(self.wr_addr),
            item_w.data.eq(self.wr_data),
            query_w.en.eq(self.q_wr),
            query_w.addr.eq(self.q_addr),
            query_w.data.eq(self.q_data),
        ]

        busy, issuing = Signal(), Signal()
        i, j = Signal(p.item_bits), Signal(range(p.words))
        # the word pair in flight: its data arrives from the read ports one cycle after issue
        p_valid, p_first, p_last, p_item = Signal(), Signal(), Signal(), Signal(p.item_bits)
        acc, best_d = Signal(p.distance_width), Signal(p.distance_width)
        best_i = Signal(p.item_bits)
        index, distance, done = Signal(p.item_bits), Signal(p.distance_width), Signal()
        m.d.comb += [
            item_r.addr.eq(i * p.words + j),
            query_r.addr.eq(j),
            self.busy.eq(busy),
            self.done.eq(done),
            self.index.eq(index),
            self.distance.eq(distance),
        ]

        # issue: one address per cycle, item by item, word by word
        m.d.sync += p_valid.eq(issuing)
        with m.If(issuing):
            m.d.sync += [p_first.eq(j == 0), p_last.eq(j == p.words - 1), p_item.eq(i)]
            with m.If(j == p.words - 1):
                m.d.sync += [j.eq(0), i.eq(i + 1)]
                with m.If(i == p.items - 1):
                    m.d.sync += issuing.eq(0)
            with m.Else():
                m.d.sync += j.eq(j + 1)

        # accumulate the word pair that arrived, compare at the end of each item
        m.d.sync += done.eq(0)
        diff = Signal(range(p.lanes + 1))
        total = Signal(p.distance_width)
        m.d.comb += [
            diff.eq(_popcount(item_r.data ^ query_r.data, p.lanes)),
            total.eq(Mux(p_first, 0, acc) + diff),
        ]
        with m.If(p_valid):
            m.d.sync += acc.eq(total)
            with m.If(p_last):
                better = Signal()
                m.d.comb += better.eq(total < best_d)
                with m.If(better):
                    m.d.sync += [best_d.eq(total), best_i.eq(p_item)]
                with m.If(p_item == p.items - 1):
                    m.d.sync += [
                        index.eq(Mux(better, p_item, best_i)),
                        distance.eq(Mux(better, total, best_d)),
                        done.eq(1),
                        busy.eq(0),
                    ]

        with m.If(self.start & ~busy):
            m.d.sync += [
                busy.eq(1),
                issuing.eq(1),
                i.eq(0),
                j.eq(0),
                best_d.eq((1 << p.distance_width) - 1),
                best_i.eq(0),
            ]
        return m
