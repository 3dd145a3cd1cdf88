"""The board-side host link: a graph's hardware behind a UART protocol engine."""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Mux, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..hw.uart import UartRx, UartTx
from ..ir.graph import Graph
from ..ir.lower import GraphTop
from ..params import UartRxParams, UartTxParams
from .protocol import (
    ACK_BIT,
    CMD_CLEAR,
    CMD_IDENTIFY,
    CMD_LOAD,
    CMD_READ,
    CMD_START,
    COMMANDS,
    ERR_FRAMING,
    ERR_TIMEOUT,
    ERR_UNKNOWN,
    ERROR,
    IDENTITY_BYTES,
    Layout,
    layout,
)

__all__ = ["DEFAULT_TIMEOUT_BYTES", "HostLinkTop"]

DEFAULT_TIMEOUT_BYTES = 1024  # payload timeout, in byte times (89 ms at 115200 baud)


def _int_arg(name: str, value: object, lo: int, hi: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"Host link {name} must be an integer, not {value!r}")
    if not lo <= value <= hi:
        raise ValueError(f"Host link {name} must be between {lo} and {hi}, not {value!r}")
    return value


def _select(m, index, entries, name):
    """``entries[index]`` (bytes: values or constants) as a register, through a tree of
    registered 4-way multiplexers (two LUT levels each) selected by two bits of ``index`` each:
    it follows ``index`` one cycle per level late, at most 10 levels for the protocol's largest
    reply, well within the 10 * clocks_per_bit >= 20 cycles between two bytes the UART takes."""
    levels = max(1, -(-(len(entries) - 1).bit_length() // 2))
    bits = Signal(2 * levels, name=f"{name}_index")
    m.d.comb += bits.eq(index)
    level = list(entries)
    for depth in range(levels):
        lo, hi = bits[2 * depth], bits[2 * depth + 1]
        groups = []
        for g in range(0, len(level), 4):
            e = [*level[g : g + 4], 0, 0, 0][:4]
            reg = Signal(8, name=f"{name}_{depth}_{g // 4}")
            m.d.sync += reg.eq(Mux(hi, Mux(lo, e[3], e[2]), Mux(lo, e[1], e[0])))
            groups.append(reg)
        level = groups
    return level[0]


class HostLinkTop(wiring.Component):
    """A graph's :class:`~scgen.ir.lower.GraphTop` driven over a UART (8N1).

    The protocol (see :mod:`scgen.link.protocol` and the README, "Host link") identifies the
    design, loads the graph's inputs, runs windows back to back and reads back the last
    window's outputs and per-bit counts of the per-cycle outputs. The host sends a command only
    after the previous reply; bytes arriving while windows run or a reply is sent are dropped.
    Every command gets a reply: unknown bytes, framing errors and payloads that stop arriving
    for ``timeout`` cycles get an error reply, after which the engine waits for a new command.

    Parameters
    ----------
    graph : Graph
        A graph that lowers to hardware.
    clocks_per_bit : int
        Clock frequency / baud rate, 2 to ``2**24``.
    leds : int
        Number of LED outputs, 0 to 64 (0: no ``leds`` port, since a zero-width port is not
        valid Verilog). LED ``k`` shows source ``k`` of: one per counter (lit while its count is
        non-zero), then the bits of the window-level outputs; LEDs past the sources stay off.
    count_width : int
        Bits of each saturating counter, 1 to 32.
    timeout : int, optional
        Cycles without a byte after which an incomplete command payload is abandoned with a
        timeout error; default 1024 byte times.

    Members
    -------
    rx : In(1)
        Serial line from the host (asynchronous, idle high).
    tx : Out(1)
        Serial line to the host (idle high).
    leds : Out(leds)
        Status LEDs (only when ``leds > 0``).
    """

    def __init__(
        self,
        graph: Graph,
        *,
        clocks_per_bit: int,
        leds: int = 0,
        count_width: int = 16,
        timeout: int | None = None,
    ):
        self._MustUse__silence = True  # until built: bad arguments do not make it "unused"
        if not isinstance(graph, Graph):
            raise TypeError(f"Host link needs a Graph, not {graph!r}")
        self._rx_params = UartRxParams(clocks_per_bit=clocks_per_bit)
        self._tx_params = UartTxParams(clocks_per_bit=clocks_per_bit)
        self._leds = _int_arg("leds", leds, 0, 64)
        if timeout is None:
            timeout = DEFAULT_TIMEOUT_BYTES * 10 * clocks_per_bit
        self._timeout = _int_arg("timeout", timeout, 1, 1 << 32)
        self._graph = graph
        self._layout = layout(graph, count_width=count_width)
        self._MustUse__silence = False
        members = {"rx": In(1), "tx": Out(1)}
        if leds:
            members["leds"] = Out(leds)
        super().__init__(members)

    @property
    def graph(self) -> Graph:
        return self._graph

    @property
    def layout(self) -> Layout:
        """The byte layout of the LOAD payload and the READ reply."""
        return self._layout

    @property
    def clocks_per_bit(self) -> int:
        return self._rx_params.clocks_per_bit

    @property
    def timeout(self) -> int:
        """Payload timeout in cycles."""
        return self._timeout

    def elaborate(self, platform):
        m = Module()
        lay = self._layout
        # the engine changes the inputs only between windows: no second copy in GraphTop
        m.submodules.graph = top = GraphTop(self._graph, latch_inputs=False)
        m.submodules.uart_rx = rx = UartRx(self._rx_params)
        m.submodules.uart_tx = tx = UartTx(self._tx_params)
        m.d.comb += [rx.rx.eq(self.rx), self.tx.eq(tx.tx)]

        # inputs: a shift register that takes the LOAD payload first byte lowest
        in_bits = 8 * lay.in_bytes
        inputs = Signal(max(in_bits, 1))
        offset = 0
        for f in lay.inputs:
            m.d.comb += getattr(top, f.name).eq(inputs[8 * offset : 8 * offset + f.width])
            offset += f.nbytes

        # per-bit counters of the per-cycle outputs while the stream section runs
        clear = Signal()
        top_count = (1 << lay.count_width) - 1
        counters = []
        for f in lay.counted:
            port = getattr(top, f.name)
            for b in range(f.width):
                c = Signal(lay.count_width, name=f"count_{f.name}_{b}")
                with m.If(clear):
                    m.d.sync += c.eq(0)
                with m.Elif(top.busy & port[b] & (c != top_count)):
                    m.d.sync += c.eq(c + 1)
                counters.append(c)

        # READ reply bytes: window-level outputs sign-extended to whole bytes, then the counts
        read_bytes = []
        for f in lay.outputs:
            wide = Signal(signed(8 * f.nbytes) if f.signed else 8 * f.nbytes, name=f"out_{f.name}")
            m.d.comb += wide.eq(getattr(top, f.name))
            read_bytes += [wide[8 * k : 8 * k + 8] for k in range(f.nbytes)]
        for c in counters:
            padded = Signal(8 * lay.count_bytes, name=f"{c.name}_bytes")
            m.d.comb += padded.eq(c)
            read_bytes += [padded[8 * k : 8 * k + 8] for k in range(lay.count_bytes)]
        identity = lay.identity()

        if self._leds:
            sources = [c != 0 for c in counters]
            for f in lay.outputs:
                port = getattr(top, f.name)
                sources += [port[b] for b in range(f.width)]
            m.d.comb += [self.leds[k].eq(s) for k, s in enumerate(sources[: self._leds])]

        cmd, code, arg = Signal(8), Signal(2), Signal(8)
        failed = Signal()  # the reply is an error reply
        need = Signal(range(max(lay.in_bytes, 2) + 1))  # payload bytes still expected
        timer = Signal(range(self._timeout + 1))
        windows = Signal(16)
        # ``windows == 0`` a cycle late, as a register: starting a window then takes no compare
        # of the count (RUN waits that cycle after the START payload)
        no_more = Signal()
        m.d.sync += no_more.eq(windows == 0)
        index = Signal(range(max(len(read_bytes), IDENTITY_BYTES) + 2))
        # index of the reply's last byte, registered with the command (or the error) so that the
        # reply's end is a compare of two registers: the link's longest path was the command's
        # decode into that compare
        last = Signal.like(index)

        # the reply byte is chosen a cycle ahead into a register (the UART takes a byte at most
        # once a frame): REPLY offers its first byte on its second cycle (``primed``). The data
        # bytes after the first come out of registered 4-way multiplexer trees (``_select``),
        # a few cycles behind ``index``, which stays put for a frame: one mux over all the
        # bytes was the board build's longest path
        nxt, reply_byte, primed = Signal(8), Signal(8), Signal()
        m.d.sync += reply_byte.eq(nxt)
        m.d.comb += tx.valid.eq(primed)  # a register: 1 only in REPLY, from its second cycle
        identify, loading = Signal(), Signal()  # the command is IDENTIFY, LOAD: with ``cmd``
        # the received byte's decode as registers: the receiver holds the whole byte from a bit
        # time before ``valid``, so they are ready then (and the decode is off the FSM's paths)
        is_cmd = {code: Signal(name=f"rx_is_{name.lower()}") for code, name in COMMANDS.items()}
        m.d.sync += [flag.eq(rx.data == code) for code, flag in is_cmd.items()]
        id_byte = _select(m, index, [0, *identity], "identity")
        read_byte = _select(m, index, [0, *read_bytes], "read")
        # ``index == last`` and the payload timeout's compare as registers, a cycle late: index
        # moves once a frame, the timer by one a cycle (a byte or an error resets or leaves it)
        at_last, timed_out = Signal(), Signal()
        m.d.sync += at_last.eq(index == last)
        if self._timeout >= 3:
            m.d.sync += timed_out.eq((timer == self._timeout - 2) & ~rx.valid & ~rx.error)
        else:
            m.d.comb += timed_out.eq(timer == self._timeout - 1)
        m.d.comb += tx.data.eq(reply_byte)

        def fail(m, why, what):
            m.d.sync += [failed.eq(1), code.eq(why), arg.eq(what), last.eq(2)]
            m.next = "REPLY"

        with m.FSM():
            with m.State("IDLE"):
                # ``failed`` is cleared here, not as the reply ends: fewer terms in its enable
                m.d.sync += [timer.eq(0), index.eq(0), failed.eq(0)]
                with m.If(rx.valid):
                    m.d.sync += [
                        cmd.eq(rx.data),
                        identify.eq(is_cmd[CMD_IDENTIFY]),
                        loading.eq(is_cmd[CMD_LOAD]),
                        last.eq(0),
                    ]
                    with m.If(is_cmd[CMD_IDENTIFY]):
                        m.d.sync += last.eq(IDENTITY_BYTES)
                        m.next = "REPLY"
                    with m.Elif(is_cmd[CMD_READ]):
                        m.d.sync += last.eq(len(read_bytes))
                        m.next = "REPLY"
                    with m.Elif(is_cmd[CMD_CLEAR]):
                        m.d.comb += clear.eq(1)
                        m.next = "REPLY"
                    with m.Elif(is_cmd[CMD_LOAD]):
                        m.d.sync += need.eq(lay.in_bytes)
                        m.next = "PAYLOAD" if lay.in_bytes else "REPLY"
                    with m.Elif(is_cmd[CMD_START]):
                        m.d.sync += need.eq(2)
                        m.next = "PAYLOAD"
                    with m.Else():
                        fail(m, ERR_UNKNOWN, rx.data)
                with m.Elif(rx.error):
                    fail(m, ERR_FRAMING, rx.data)
            with m.State("PAYLOAD"):
                with m.If(rx.valid):
                    m.d.sync += [timer.eq(0), need.eq(need - 1)]
                    with m.If(loading):
                        if in_bits > 8:
                            m.d.sync += inputs.eq(Cat(inputs[8:], rx.data))
                        else:
                            m.d.sync += inputs.eq(rx.data)
                        with m.If(need == 1):
                            m.next = "REPLY"
                    with m.Else():
                        m.d.sync += windows.eq(Cat(windows[8:], rx.data))
                        with m.If(need == 1):
                            m.next = "ARM"
                with m.Elif(rx.error):
                    fail(m, ERR_FRAMING, rx.data)
                with m.Elif(timed_out):
                    fail(m, ERR_TIMEOUT, cmd)
                with m.Else():
                    m.d.sync += timer.eq(timer + 1)
            with m.State("RUN"):
                with m.If(no_more):
                    m.next = "REPLY"
                with m.Else():
                    m.d.comb += top.start.eq(1)
                    m.d.sync += windows.eq(windows - 1)
                    m.next = "WAIT"
            with m.State("ARM"):  # no_more follows the new count
                m.next = "RUN"
            with m.State("WAIT"):
                with m.If(top.done):  # the next window starts on this cycle: back to back
                    with m.If(no_more):
                        m.next = "REPLY"
                    with m.Else():
                        m.d.comb += top.start.eq(1)
                        m.d.sync += windows.eq(windows - 1)
            with m.State("REPLY"):
                m.d.sync += primed.eq(1)
                with m.If(failed):
                    with m.Switch(index):
                        with m.Case(0):
                            m.d.comb += nxt.eq(ERROR)
                        with m.Case(1):
                            m.d.comb += nxt.eq(code)
                        with m.Default():
                            m.d.comb += nxt.eq(arg)
                with m.Else():
                    with m.If(index == 0):
                        m.d.comb += nxt.eq(cmd | ACK_BIT)
                    with m.Elif(identify):
                        m.d.comb += nxt.eq(id_byte)
                    with m.Else():
                        m.d.comb += nxt.eq(read_byte)
                with m.If(tx.ready & primed):
                    m.d.sync += index.eq(index + 1)
                    with m.If(at_last):
                        m.d.sync += primed.eq(0)
                        m.next = "IDLE"
        return m
