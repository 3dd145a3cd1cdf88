"""scgen's on-disk Numba cache, in real subprocesses (each test has its own cache folder)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scgen.sw import _jit

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import json, sys
import numpy as np
from scgen.sw._jit import cache_dir, kernel

@kernel
def triple_sum(x):
    s = 0
    for v in x:
        s += 3 * v
    return s

r = triple_sum(np.arange(10, dtype=np.int64))
print(json.dumps({
    "result": int(r),
    "hits": sum(triple_sum.stats.cache_hits.values()),
    "misses": sum(triple_sum.stats.cache_misses.values()),
    "dir": str(cache_dir()),
}))
"""


def _env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCGEN_", "NUMBA_CACHE"))}
    env.update(PYTHONPATH=str(ROOT), SCGEN_CACHE_DIR=str(tmp_path / "cache"), **extra)
    return env


def _script(tmp_path) -> Path:
    path = tmp_path / "kern.py"
    path.write_text(SCRIPT)
    return path


def _run(tmp_path, **extra) -> dict:
    out = subprocess.run(
        [sys.executable, str(_script(tmp_path))],
        env=_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return json.loads(out.stdout.splitlines()[-1])


def _entries(tmp_path) -> list[Path]:
    return sorted(p for p in (tmp_path / "cache").rglob("*") if p.suffix in (".nbi", ".nbc"))


def test_second_process_loads_the_cache(tmp_path):
    cold = _run(tmp_path)
    assert cold["result"] == 135 and cold["misses"] == 1 and cold["hits"] == 0
    assert Path(cold["dir"]) == tmp_path / "cache" / "numba" / _jit.cache_key()
    assert any(p.suffix == ".nbc" for p in _entries(tmp_path))
    warm = _run(tmp_path)
    assert warm["result"] == 135 and warm["hits"] == 1 and warm["misses"] == 0


def test_disabled_cache_writes_nothing(tmp_path):
    r = _run(tmp_path, SCGEN_NUMBA_CACHE="0")
    assert r["result"] == 135 and r["hits"] == 0
    assert _entries(tmp_path) == []


def test_xdg_cache_home_is_the_default(tmp_path):
    env = _env(tmp_path, XDG_CACHE_HOME=str(tmp_path / "xdg"))
    del env["SCGEN_CACHE_DIR"]
    code = "from scgen.sw._jit import cache_dir; print(cache_dir())"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert Path(out.stdout.strip()).parent == tmp_path / "xdg" / "scgen" / "numba"


def test_processes_at_once_on_an_empty_cache(tmp_path):
    path = _script(tmp_path)
    procs = [
        subprocess.Popen(
            [sys.executable, str(path)],
            env=_env(tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
        results.append(json.loads(out.splitlines()[-1]))
    assert [r["result"] for r in results] == [135] * 3
    after = _run(tmp_path)
    assert after["result"] == 135 and after["hits"] == 1 and after["misses"] == 0


@pytest.mark.parametrize(
    "part",
    ["scgen", "sources", "numba_version", "llvmlite_version", "numpy_version", "cpu"],
)
def test_every_part_of_the_key_changes_it(part):
    assert _jit.cache_key(**{part: "other"}) != _jit.cache_key()
    assert "other" in _jit.cache_key(**{part: "other"})


def test_warmup_reports_each_step(monkeypatch):
    from scgen import _warmup

    ran = []
    monkeypatch.setattr(
        _warmup, "STEPS", [("one", lambda: ran.append(1)), ("two", lambda: ran.append(2))]
    )
    lines = []
    _warmup.warmup(lines.append)
    assert ran == [1, 2]
    assert lines[1].startswith("[1/2] one: ") and lines[2].startswith("[2/2] two: ")
    assert lines[-1].startswith("warmup: done in ")


def test_warmup_command_is_on_the_cli():
    from scgen.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["warmup", "--help"])
    assert exc.value.code == 0
