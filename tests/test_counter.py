import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scgen import hw, sim, sw
from scgen.params import CounterParams

from .reference import counter_run


def test_counter_protocol():
    start = [1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0]
    x = [1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0]
    expected = {
        "count": [0, 0, 0, 0, 3, 3, 3, 3, 3, 3, 4, 4],
        "done": [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0],
        "busy": [1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0],
    }
    p = CounterParams(window=4)
    twin = sw.counter(p, start, x)._asdict()
    hard = sim.run(hw.Counter(p), {"start": np.array(start), "x": np.array(x)})
    for port, values in expected.items():
        assert twin[port].tolist() == values
        assert hard[port].tolist() == values


def test_counter_restart_and_window_one():
    t = sw.counter(CounterParams(window=3), [1, 0, 1, 0, 0, 0], [1, 1, 1, 1, 1, 0])
    assert t.count.tolist() == [0, 0, 0, 0, 0, 3]  # the start at cycle 2 restarted the window
    t = sw.counter(CounterParams(window=1), [1, 1, 0, 1], [1, 0, 1, 1])
    assert t.count.tolist() == [0, 1, 0, 0] and t.done.tolist() == [0, 1, 1, 0]


def test_counter_is_popcount_of_encoded_stream():
    from scgen.params import EncoderParams

    bits = sw.encoder(EncoderParams(), np.full(1024, 40000)).o
    start = np.zeros(1025, np.uint8)
    start[0] = 1
    t = sw.counter(CounterParams(window=1024), start, np.append(bits, 0))
    assert t.done[1024] == 1 and t.count[1024] == bits.sum()


@settings(max_examples=60)
@given(window=st.integers(1, 20), data=st.data())
def test_counter_twin_matches_reference(window, data):
    n = 120
    start = data.draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    x = data.draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    t = sw.counter(CounterParams(window=window), start, x)
    count, done, busy = counter_run(window, start, x)
    assert t.count.tolist() == count and t.done.tolist() == done and t.busy.tolist() == busy


@pytest.mark.parametrize(
    ("kwargs", "exc", "message"),
    [
        ({"window": 0}, ValueError, "Counter window must be between 1 and 4294967296, not 0"),
        (
            {"window": 1 << 33},
            ValueError,
            "Counter window must be between 1 and 4294967296, not 8589934592",
        ),
        ({"window": 2.5}, TypeError, "Counter window must be an integer, not 2.5"),
    ],
)
def test_counter_params_wrong(kwargs, exc, message):
    with pytest.raises(exc, match=f"^{re.escape(message)}$"):
        CounterParams(**kwargs)
