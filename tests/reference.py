"""Plain-Python reference models, written from SEED_BEHAVIOUR.md, independent of scgen's code."""


def lfsr_fibonacci(width, exponents, seed, n):
    """States of a left-shifting Fibonacci LFSR with feedback from bits e-1."""
    s, out = seed, []
    for _ in range(n):
        out.append(s)
        fb = 0
        for e in exponents:
            fb ^= (s >> (e - 1)) & 1
        s = ((s << 1) | fb) & ((1 << width) - 1)
    return out


def lfsr_galois(width, exponents, seed, n):
    """States of a right-shifting Galois LFSR."""
    mask = sum(1 << (e - 1) for e in exponents)
    s, out = seed, []
    for _ in range(n):
        out.append(s)
        s = (s >> 1) ^ (mask if s & 1 else 0)
    return out


def wrap(x, w):
    x &= (1 << w) - 1
    return x - (1 << w) if x >> (w - 1) else x


def lif_run(p, steps):
    """SEED_BEHAVIOUR §4.2 / §4.3 step by step; ``steps`` = [(leak, gain, I, noise)]."""
    v, rc, out = p.v_rest, 0, []
    w, f = p.data_width, p.fraction
    for leak, gain, i_t, noise in steps:
        if p.ordering.value == "hardware" and rc > 0:
            rc -= 1
            v = p.v_rest
            out.append((0, v))
            continue
        diff = p.v_rest - v
        if p.diff_bits is not None:
            diff = wrap(diff, min(p.diff_bits, w + 1))
        dv_leak = wrap((diff * leak) >> f, w)
        dv_in = wrap((i_t * gain) >> f, w)
        v_next = wrap(v + dv_leak + dv_in + noise, w)
        fired = v_next >= p.v_threshold
        if p.ordering.value == "hardware":
            if fired:
                v, rc = p.v_reset, p.refractory_period
            else:
                v = v_next
            out.append((int(fired), v))
        else:
            v1 = p.v_reset if fired else v_next
            rc1 = p.refractory_period if fired else rc
            if rc1 > 0:
                v, rc = p.v_rest, rc1 - 1
                out.append((0, v))
            else:
                v, rc = v1, rc1
                out.append((int(fired), v))
    return out


def counter_run(window, start, x):
    """Window counter: returns (count, done, busy) lists."""
    acc = left = result = finished = 0
    count, done, busy = [], [], []
    for s, b in zip(start, x, strict=True):
        a_in, l_in = (0, window) if s else (acc, left)
        count.append(result)
        done.append(finished)
        busy.append(int(l_in != 0))
        finished = 0
        if l_in:
            acc, left = a_in + b, l_in - 1
            if left == 0:
                result, finished = acc, 1
    return count, done, busy


def bit_reverse(x, w):
    return int(format(x, f"0{w}b")[::-1], 2)


# --- random generators, from the algorithm descriptions of SEED_BEHAVIOUR §2 ----------------
M64 = (1 << 64) - 1
M32 = (1 << 32) - 1


def splitmix64_seed(seed):
    x, out = seed, []
    for _ in range(4):
        x = (x + 0x9E3779B97F4A7C15) & M64
        z = x
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        out.append(z ^ (z >> 31))
    return out


def xoshiro_u64s(seed, n):
    s = splitmix64_seed(seed)
    out = []
    for _ in range(n):
        rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & M64  # noqa: E731
        out.append((rotl((s[0] + s[3]) & M64, 23) + s[0]) & M64)
        t = (s[1] << 17) & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
    return out


def pcg32_key(seed):
    state, key = seed, []
    for _ in range(8):
        state = (state * 6364136223846793005 + 11634580027462260723) & M64
        x = (((state >> 18) ^ state) >> 27) & M32
        rot = state >> 59
        key.append(((x >> rot) | (x << ((32 - rot) % 32))) & M32)
    return key


def _qr(x, a, b, c, d):
    x[a] = (x[a] + x[b]) & M32
    x[d] ^= x[a]
    x[d] = ((x[d] << 16) | (x[d] >> 16)) & M32
    x[c] = (x[c] + x[d]) & M32
    x[b] ^= x[c]
    x[b] = ((x[b] << 12) | (x[b] >> 20)) & M32
    x[a] = (x[a] + x[b]) & M32
    x[d] ^= x[a]
    x[d] = ((x[d] << 8) | (x[d] >> 24)) & M32
    x[c] = (x[c] + x[d]) & M32
    x[b] ^= x[c]
    x[b] = ((x[b] << 7) | (x[b] >> 25)) & M32


def chacha8_words(seed, n):
    key = pcg32_key(seed)
    out, counter = [], 0
    while len(out) < n:
        st = [
            0x61707865,
            0x3320646E,
            0x79622D32,
            0x6B206574,
            *key,
            counter & M32,
            counter >> 32,
            0,
            0,
        ]
        x = list(st)

        for _ in range(4):
            _qr(x, 0, 4, 8, 12), _qr(x, 1, 5, 9, 13), _qr(x, 2, 6, 10, 14), _qr(x, 3, 7, 11, 15)
            _qr(x, 0, 5, 10, 15), _qr(x, 1, 6, 11, 12), _qr(x, 2, 7, 8, 13), _qr(x, 3, 4, 9, 14)
        out.extend((a + b) & M32 for a, b in zip(x, st, strict=True))
        counter += 1
    return out[:n]


def snn_draws(la, state):
    """The ``n_in * L`` comparator values of a stochastic SNN layer's step from LFSR ``state``,
    and the state after: the layer's Fibonacci LFSR stepped ``weight_width - 1`` times per draw,
    its top ``weight_width - 1`` bits compared (scgen.params.snn's docstring)."""
    from scgen.params import MAXIMAL_TAPS  # the tap table only

    d, n = la.weight_width - 1, la.n_in * la.stream_length
    states = lfsr_fibonacci(la.lfsr_width, MAXIMAL_TAPS[la.lfsr_width], state, n * d + 1)
    draws = [s >> (la.lfsr_width - la.weight_width + 1) for s in states[d::d]]
    return draws, states[-1]


def snn_sum(la, j, x, draws):
    """Synaptic sum of SNN neuron ``j`` for input spikes ``x``: the weights of the active
    inputs, or (stochastic) per active input ``sign(w) 2**(ww - 1) / L`` per draw below
    ``|w|``."""
    if la.synapse.value == "exact":
        return sum(w for w, s in zip(la.weight[j], x, strict=True) if s)
    unit, acc, n = (1 << (la.weight_width - 1)) // la.stream_length, 0, la.stream_length
    for i, (w, s) in enumerate(zip(la.weight[j], x, strict=True)):
        if s:
            hits = sum(d < abs(w) for d in draws[i * n : (i + 1) * n])
            acc += unit * hits if w >= 0 else -unit * hits
    return acc


def _snn_decay(x, leak, shift, raw, fraction):
    if leak.value == "shift":
        return x - (x >> shift)
    if leak.value == "multiply":
        return (x * raw) >> fraction
    return x


def _snn_value(value, j):
    """A layer's shared value, or neuron ``j``'s entry of a per-neuron tuple."""
    return value[j] if isinstance(value, tuple) else value


def snn_run(params, spikes):
    """Plain-Python model of the equations in scgen.params.snn, every neuron model and both
    synapse kinds: ``spikes`` ``(T, batch, n_in)``, each sample from the reset state (LFSRs at
    their seeds) -> the last layer's spikes and its membranes after each step, both
    ``(T, batch, n_out)`` int64."""
    import numpy as np

    steps, batch, _ = spikes.shape
    outs, mems = [], []
    for b in range(batch):
        vs = [[0] * la.n_out for la in params.layers]
        cs = [[0] * la.n_out for la in params.layers]
        states = [la.seed for la in params.layers]
        rows, vrows = [], []
        for t in range(steps):
            x = [int(s) for s in spikes[t, b]]
            for k, la in enumerate(params.layers):
                draws = []
                if la.synapse.value == "stochastic":
                    draws, states[k] = snn_draws(la, states[k])
                hi, lo = (1 << (la.membrane_width - 1)) - 1, -(1 << (la.membrane_width - 1))
                current = la.neuron.value in ("cuba", "cuba_li")
                y = []
                for j in range(la.n_out):
                    v = _snn_decay(0 if t == 0 else vs[k][j], la.leak, la.leak_shift,
                                   _snn_value(la.beta, j), la.beta_fraction)  # fmt: skip
                    drive = la.biases[j] + snn_sum(la, j, x, draws)
                    if current:  # the bias and the sum reach the membrane through the current
                        c = _snn_decay(0 if t == 0 else cs[k][j], la.syn_leak, la.syn_leak_shift,
                                       _snn_value(la.alpha, j), la.beta_fraction)  # fmt: skip
                        cs[k][j] = drive = min(hi, max(lo, c + drive))
                    u = min(hi, max(lo, v + drive))
                    fire = la.neuron.value in ("lif", "cuba") and u > la.threshold[j]
                    if fire:
                        u = (
                            _snn_value(la.v_reset, j)
                            if la.reset.value == "zero"
                            else min(hi, max(lo, u - la.threshold[j]))
                        )
                    vs[k][j] = u
                    y.append(int(fire))
                x = y
            rows.append(x)
            vrows.append(list(vs[-1]))
        outs.append(rows)
        mems.append(vrows)
    return (
        np.array(outs, dtype=np.int64).transpose(1, 0, 2),
        np.array(mems, dtype=np.int64).transpose(1, 0, 2),
    )
