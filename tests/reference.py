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
