"""Sweeps on dask.distributed: grids, resumption, determinism, a worker lost mid-sweep."""

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scgen.cli import main
from scgen.ir import parse
from scgen.sweep import apply_point, grid, parse_param, run_sweep

ROOT = Path(__file__).resolve().parents[1]
SYNAPSE = (ROOT / "examples" / "synapse.scir").read_text()
_FIGURES = ["seconds"]  # wall time is the only figure that may differ between runs


def _data(windows=12):
    rng = np.random.default_rng(5)
    x, w = rng.random(windows), rng.random(windows)
    return {"x_prob": x, "w_prob": w}, {"hits": x * w, "product": x * w}


def _table(path):
    table = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    table = table.drop(columns=_FIGURES)
    table["error"] = [v if isinstance(v, str) else "" for v in table["error"]]
    return table


def test_sweep_param_parse():
    p = parse_param("%2.seed=0xACE1,7")
    assert (p.op, p.name, p.values, p.column) == (2, "seed", (0xACE1, 7), "%2.seed")
    assert parse_param("factor=0.5,1.5").values == (0.5, 1.5)


def test_sweep_param_wrong():
    with pytest.raises(
        ValueError, match=r"^Sweep parameter must be NAME=V1,V2,... or %ID.NAME=..., not 'length'$"
    ):
        parse_param("length")
    with pytest.raises(
        ValueError, match=r"^Sweep parameter op must be written %ID.NAME, not '%x.seed=1'$"
    ):
        parse_param("%x.seed=1")
    with pytest.raises(
        ValueError, match=r"^Sweep parameter 'length' values must be distinct, not '64,64'$"
    ):
        parse_param("length=64,64")


def test_sweep_attribute_wrong():
    g = parse(SYNAPSE)
    p = parse_param("dw=8,16")
    with pytest.raises(
        ValueError,
        match=r"^Sweep parameter 'dw' must be an attribute of any op in graph 'sc_synapse', not absent$",
    ):
        apply_point(g, grid([p])[0], [p])
    p = parse_param("%4.seed=1")
    with pytest.raises(
        ValueError,
        match=r"^Sweep parameter '%4.seed' must name an attribute of op %4 \(sc.and\), not 'seed'$",
    ):
        apply_point(g, grid([p])[0], [p])


def test_sweep_apply_sets_every_op():
    g = parse(SYNAPSE)
    p = [parse_param("length=64"), parse_param("%3.seed=0x1234")]
    h = apply_point(g, grid(p)[0], p)
    enc = [op for op in h.ops if op.kind == "encode"]
    assert [op.attr("length") for op in enc] == [64, 64]
    assert [op.attr("seed") for op in enc] == [0xACE1, 0x1234]
    assert not [x for x in h.verify() if x.severity == "error"]


def test_sweep_outputs_resume_and_workers(tmp_path):
    g = parse(SYNAPSE)
    inputs, labels = _data()
    params = [parse_param("length=64,256,1024"), parse_param("%2.seed=0xACE1,0x5EED")]
    a = tmp_path / "a"
    t1 = run_sweep(g, params, inputs, a, labels=labels, n_workers=1)
    assert len(t1) == 6 and (t1["error"] == "").all()
    for name in ("results.csv", "results.parquet", "summary.md", "pareto.png"):
        assert (a / name).stat().st_size > 0
    assert (a / "summary.md").read_text().startswith("# Sweep of graph `sc_synapse`")
    # longer streams estimate the product better (Bernoulli error ~ 1/sqrt(L))
    by_len = t1.groupby("length")["hits.mae"].mean()
    assert by_len[1024] < by_len[64]
    pd.testing.assert_frame_equal(
        _table(a / "results.parquet"),
        _table(a / "results.csv"),
        check_dtype=False,
    )
    # a re-run recomputes nothing: every point is already in points.jsonl
    lines = (a / "points.jsonl").read_text().splitlines()
    run_sweep(g, params, inputs, a, labels=labels, n_workers=1)
    assert (a / "points.jsonl").read_text().splitlines() == lines
    # an interrupted sweep (half the points recorded) finishes the rest, same table
    b = tmp_path / "b"
    b.mkdir()
    (b / "points.jsonl").write_text("\n".join(lines[:3]) + "\n" + lines[3][:20])
    run_sweep(g, params, inputs, b, labels=labels, n_workers=2)
    assert len((b / "points.jsonl").read_text().splitlines()) == 7  # 3 + the cut line + 3
    pd.testing.assert_frame_equal(_table(b / "results.csv"), _table(a / "results.csv"))


def test_sweep_bad_point_is_a_row(tmp_path):
    g = parse(SYNAPSE)
    inputs, _ = _data(4)
    # a 4096-long stream counts to 4096, which the graph's 11-bit popcount cannot hold
    t = run_sweep(g, [parse_param("length=256,4096")], inputs, tmp_path, n_workers=1)
    assert t["error"][0] == ""
    assert "cannot hold a count of up to 4096" in t["error"][1]


def _port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _dask(role, *args, cwd):
    """Start ``dask scheduler`` or ``dask worker`` as a process that imports this scgen."""
    return subprocess.Popen(
        [sys.executable, "-m", f"distributed.cli.dask_{role}", *args, "--dashboard-address", ":0"],
        env={**os.environ, "PYTHONPATH": str(ROOT), "DASK_TEMPORARY_DIRECTORY": str(cwd)},
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_sweep_survives_a_lost_worker(tmp_path):
    """A real scheduler and two workers as processes; one is killed mid-sweep."""
    g = parse(SYNAPSE)
    inputs, labels = _data(40)
    params = [parse_param("length=512,1024,2047"), parse_param("%2.seed=1,2,3,4")]
    port = _port()
    procs = [_dask("scheduler", "--host", "127.0.0.1", "--port", str(port), cwd=tmp_path)]
    try:
        time.sleep(3)
        for _ in range(2):
            worker = ("--nthreads", "1", "--no-nanny", "--local-directory", str(tmp_path))
            procs.append(_dask("worker", f"tcp://127.0.0.1:{port}", *worker, cwd=tmp_path))
        out = tmp_path / "remote"
        errors = []

        def sweep():
            try:
                run_sweep(
                    g, params, inputs, out, labels=labels, scheduler=f"tcp://127.0.0.1:{port}"
                )
            except Exception as exc:  # reported by the main thread
                errors.append(exc)

        th = threading.Thread(target=sweep)
        th.start()
        log = out / "points.jsonl"
        deadline = time.time() + 120
        while time.time() < deadline and not (log.exists() and log.read_text().count("\n") >= 2):
            time.sleep(0.05)
        done_before = log.read_text().count("\n")
        assert 2 <= done_before < 12, "the sweep must still be running when the worker dies"
        procs[1].kill()
        th.join(300)
        assert not th.is_alive() and not errors
    finally:
        for p in procs:
            p.kill()
            p.wait()
    remote = _table(out / "results.csv")
    assert len(remote) == 12
    local = tmp_path / "local"
    run_sweep(g, params, inputs, local, labels=labels, n_workers=1)
    pd.testing.assert_frame_equal(remote, _table(local / "results.csv"))


def test_cli_sweep(tmp_path, capsys):
    inputs, labels = _data(6)
    np.savez(tmp_path / "in.npz", **inputs)
    np.savez(tmp_path / "labels.npz", **labels)
    (tmp_path / "g.scir").write_text(SYNAPSE)
    assert (
        main(
            [
                "sweep",
                str(tmp_path / "g.scir"),
                "--param",
                "length=64,128",
                "--inputs",
                str(tmp_path / "in.npz"),
                "--labels",
                str(tmp_path / "labels.npz"),
                "-o",
                str(tmp_path / "out"),
            ]
        )
        == 0
    )
    assert "2 points; results in" in capsys.readouterr().out
    assert len(pd.read_csv(tmp_path / "out" / "results.csv")) == 2


def test_cli_sweep_param_wrong(tmp_path):
    inputs, _ = _data(2)
    np.savez(tmp_path / "in.npz", **inputs)
    (tmp_path / "g.scir").write_text(SYNAPSE)
    with pytest.raises(
        SystemExit,
        match=r"^scgen: Sweep parameter 'dw' must be an attribute of any op in graph 'sc_synapse', not absent$",
    ):
        main(
            [
                "sweep",
                str(tmp_path / "g.scir"),
                "--param",
                "dw=8",
                "--inputs",
                str(tmp_path / "in.npz"),
                "-o",
                str(tmp_path / "o"),
            ]
        )


def test_sweep_dense_accuracy(tmp_path):
    from scgen.ir.ports import random_inputs
    from scgen.sweep.families import dense_graph

    g = dense_graph("d", ni=3, nn=2, length=64, const_weights=False)
    rng = np.random.default_rng(2)
    inputs = random_inputs(g, 8, rng)
    labels = {"spikes": rng.integers(0, 2, 8)}
    t = run_sweep(g, [parse_param("len=32,64")], inputs, tmp_path, labels=labels, n_workers=1)
    assert ((t["spikes.accuracy"] >= 0) & (t["spikes.accuracy"] <= 1)).all()
    assert (t["spikes.error_rate"] == 1 - t["spikes.accuracy"]).all()
    assert "spikes.error_rate" in (tmp_path / "summary.md").read_text()
