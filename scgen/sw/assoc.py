"""Twin of :class:`scgen.hw.AssocQuery`."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import prange

from ..params import AssocQueryParams
from ._intrinsics import popcount64
from ._jit import parallel_kernel
from ._ports import as_stimulus, bit_range, check_params, finish, unsigned_range

__all__ = ["AssocTrace", "assoc_query"]


class AssocTrace(NamedTuple):
    """Per-cycle outputs of :class:`scgen.hw.AssocQuery`."""

    index: np.ndarray
    distance: np.ndarray
    done: np.ndarray
    busy: np.ndarray


@parallel_kernel
def _assoc_query_kernel(
    items,
    words,
    depth,
    distance_width,
    wr_en,
    wr_addr,
    wr_data,
    q_wr,
    q_addr,
    q_data,
    start,
    index,
    distance,
    done,
    busy,
):
    for v in prange(start.shape[0]):
        mem = np.zeros(depth, dtype=np.uint64)
        qmem = np.zeros(words, dtype=np.uint64)
        item_rd = np.uint64(0)
        query_rd = np.uint64(0)
        r_busy = r_issuing = r_done = 0
        i = j = 0
        p_valid = p_first = p_last = 0
        p_item = 0
        acc = best_d = best_i = 0
        r_index = r_distance = 0
        for t in range(start.shape[1]):
            # comb: registered outputs, read addresses, the word pair in flight
            index[v, t] = r_index
            distance[v, t] = r_distance
            done[v, t] = r_done
            busy[v, t] = r_busy
            next_item_rd = mem[i * words + j]  # before this cycle's writes
            next_query_rd = qmem[j]
            total = (0 if p_first else acc) + np.int64(popcount64(item_rd ^ query_rd))
            # sync
            n_done = 0
            n_busy, n_issuing = r_busy, r_issuing
            n_i, n_j = i, j
            n_p_first, n_p_last, n_p_item = p_first, p_last, p_item
            n_acc, n_best_d, n_best_i = acc, best_d, best_i
            n_index, n_distance = r_index, r_distance
            if r_issuing:
                n_p_first = 1 if j == 0 else 0
                n_p_last = 1 if j == words - 1 else 0
                n_p_item = i
                if j == words - 1:
                    n_j = 0
                    n_i = i + 1
                    if i == items - 1:
                        n_issuing = 0
                else:
                    n_j = j + 1
            if p_valid:
                n_acc = total
                if p_last:
                    better = total < best_d
                    if better:
                        n_best_d = total
                        n_best_i = p_item
                    if p_item == items - 1:
                        n_index = p_item if better else best_i
                        n_distance = total if better else best_d
                        n_done = 1
                        n_busy = 0
            if start[v, t] and not r_busy:
                n_busy = 1
                n_issuing = 1
                n_i = 0
                n_j = 0
                n_best_d = (1 << distance_width) - 1
                n_best_i = 0
            if wr_en[v, t]:
                mem[wr_addr[v, t]] = wr_data[v, t]
            if q_wr[v, t]:
                qmem[q_addr[v, t]] = q_data[v, t]
            item_rd, query_rd = next_item_rd, next_query_rd
            p_valid = r_issuing
            r_busy, r_issuing, r_done = n_busy, n_issuing, n_done
            i, j = n_i, n_j
            p_first, p_last, p_item = n_p_first, n_p_last, n_p_item
            acc, best_d, best_i = n_acc, n_best_d, n_best_i
            r_index, r_distance = n_index, n_distance


def assoc_query(
    params: AssocQueryParams,
    wr_en: object,
    wr_addr: object,
    wr_data: object,
    q_wr: object,
    q_addr: object,
    q_data: object,
    start: object,
) -> AssocTrace:
    """Twin of :class:`scgen.hw.AssocQuery`; every instance starts with zeroed memories."""
    check_params("Associative query", AssocQueryParams, params)
    word = unsigned_range(params.lanes)
    ins, one_d = as_stimulus(
        "Associative query",
        {
            "wr_en": (wr_en, bit_range(), np.uint8),
            "wr_addr": (wr_addr, (0, params.depth - 1), np.int64),
            "wr_data": (wr_data, word, np.uint64),
            "q_wr": (q_wr, bit_range(), np.uint8),
            "q_addr": (q_addr, (0, params.words - 1), np.int64),
            "q_data": (q_data, word, np.uint64),
            "start": (start, bit_range(), np.uint8),
        },
    )
    shape = ins["start"].shape
    index = np.empty(shape, dtype=np.int64)
    distance = np.empty(shape, dtype=np.int64)
    done = np.empty(shape, dtype=np.uint8)
    busy = np.empty(shape, dtype=np.uint8)
    _assoc_query_kernel(
        params.items,
        params.words,
        params.depth,
        params.distance_width,
        *(ins[k] for k in ("wr_en", "wr_addr", "wr_data", "q_wr", "q_addr", "q_data", "start")),
        index,
        distance,
        done,
        busy,
    )
    return AssocTrace(*finish(one_d, index, distance, done, busy))
