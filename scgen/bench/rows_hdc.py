"""Benchmark rows of hyperdimensional computing: the seed's HDCVector against scgen.compat's,
one call at a time (10 000 bits), and an associative-memory query of 1 000 items.

The seed has no item memory; its row is what a seed user writes: ``max`` over the stored
HDCVectors by ``similarity`` (the same nearest item: highest similarity, first on ties).
"""

from __future__ import annotations

import numpy as np

__all__ = ["rows"]


def rows(eng, sc, rng: np.random.Generator) -> dict:
    from sc_neurocore_engine.hdc import HDCVector as Theirs

    from .. import hdc

    dim = 10_000
    seeds = rng.integers(1, 2**32, 64).tolist()

    def pair(cls, k=2):
        return [cls(dim, seed=s) for s in seeds[:k]]

    def bind():
        (a, b), (c, d) = pair(Theirs), pair(sc.HDCVector)
        return (lambda: a * b, lambda: c * d, "none", 0)

    def bundle(n):
        def build():
            theirs, ours = pair(Theirs, n), pair(sc.HDCVector, n)
            return (lambda: Theirs.bundle(theirs), lambda: sc.HDCVector.bundle(ours), "none", 0)

        return build

    def permute():
        (a,), (b,) = pair(Theirs, 1), pair(sc.HDCVector, 1)
        return (lambda: a.permute(1), lambda: b.permute(1), "none", 0)

    def similarity():
        (a, b), (c, d) = pair(Theirs), pair(sc.HDCVector)
        return (lambda: a.similarity(b), lambda: c.similarity(d), "none", 0)

    def memory(items):
        def build():
            stored = [Theirs(dim, seed=s) for s in range(1, items + 1)]
            query = Theirs(dim, seed=items // 2).permute(0)
            mem = hdc.ItemMemory(dim, capacity=items)
            mem.store(hdc.random_hypervectors(items, dim, seed=1))
            q = hdc.random_hypervectors(1, dim, seed=items // 2)[0]

            def theirs():
                return max(range(items), key=lambda i: stored[i].similarity(query))

            assert theirs() == mem.query(q)[0]
            return (theirs, lambda: mem.query(q), "and_popcount", items * (dim // 64 + 1))

        return build

    def memory_batch(items, queries):
        def build():
            stored = [Theirs(dim, seed=s) for s in range(1, items + 1)]
            qs = [Theirs(dim, seed=s) for s in range(5000, 5000 + queries)]
            mem = hdc.ItemMemory(dim, capacity=items)
            mem.store(hdc.random_hypervectors(items, dim, seed=1))
            q = hdc.random_hypervectors(queries, dim, seed=5000)

            def theirs():
                return [max(range(items), key=lambda i, v=v: stored[i].similarity(v)) for v in qs]

            assert theirs() == mem.query_batch(q)[0].tolist()
            return (
                theirs,
                lambda: mem.query_batch(q),
                "and_popcount",
                queries * items * (dim // 64 + 1),
            )

        return build

    def pairs(op, count):
        # count operations on distinct pairs: the seed one call at a time, scgen in one batch
        def build():
            theirs = [(Theirs(dim, seed=s), Theirs(dim, seed=s + 1)) for s in range(count)]
            a = hdc.random_hypervectors(count, dim, seed=0)
            b = hdc.random_hypervectors(count, dim, seed=1)
            if op == "bind":
                return (lambda: [x * y for x, y in theirs], lambda: hdc.bind(a, b), "none", 0)
            return (
                lambda: [x.similarity(y) for x, y in theirs],
                lambda: hdc.similarity(a, b, dim),
                "and_popcount",
                count * (dim // 64 + 1),
            )

        return build

    return {
        "HDC bind 10000 bits": bind,
        "HDC bundle 3 x 10000 bits": bundle(3),
        "HDC bundle 31 x 10000 bits": bundle(31),
        "HDC permute 10000 bits": permute,
        "HDC similarity 10000 bits": similarity,
        "HDC bind 1000 pairs x 10000 bits (scgen.hdc batch)": pairs("bind", 1000),
        "HDC similarity 1000 pairs x 10000 bits (scgen.hdc batch)": pairs("similarity", 1000),
        "HDC item memory query 1000 x 10000 bits": memory(1000),
        "HDC item memory 100 queries x 1000 x 10000 bits": memory_batch(1000, 100),
    }
