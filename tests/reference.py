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
