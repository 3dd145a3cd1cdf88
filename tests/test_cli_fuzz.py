"""Every command on random argument vectors and random files: exit 0, or exit 1/2 with exactly one
line on stderr; never a traceback, never a hang (issue 15).

The simulators are replaced by the twin and the board tools by scripts that succeed, so that the
few vectors that are valid finish quickly; the command line's own checks all run for real.
"""

import random
import signal
import sys
from pathlib import Path

import numpy as np
import pytest

from scgen.cli import main

from .test_bad_input import U8

ROOT = Path(__file__).parent.parent


COMMANDS = {
    "sim": ["--input", "--inputs", "--windows", "--clamp"],
    "verify": ["--windows", "--seed", "--out", "--no-verilator"],
    "emit": ["-o", "--verilog", "--name", "--lint"],
    "build": ["--board", "-o", "--clock-mhz"],
    "run": ["--board", "--port", "--baud", "--input", "--windows", "--timeout"],
    "boards": [],
}
VALUES = [
    "0",
    "1",
    "2",
    "-1",
    "-9600",
    "nan",
    "inf",
    "-inf",
    "1e999",
    "0x8000",
    "0xBEEF",
    "3.7",
    "9" * 5000,
    "",
    "é",
    "x=1",
    "x=300",
    "x=3.7",
    "p=0.5",
    "p=1.5",
    "p=nan",
    "q=1",
    "x=abc",
    "x=",
    "=1",
    "icebreaker",
    "de10",
    "bogus://x",
    "/nonexistent/tty",
    "--",
    "-x",
]


@pytest.fixture
def world(tmp_path, monkeypatch):
    """Files to name on the command line; fast stand-ins for the simulators and board tools."""
    from scgen import sim

    monkeypatch.setattr(
        sim,
        "run_hardware",
        lambda graphs, inputs, **kw: [
            sim.run_windows(g, i) for g, i in zip(graphs, inputs, strict=True)
        ],
    )
    bindir = tmp_path / "bin"
    bindir.mkdir()
    report = '{"utilization": {}, "fmax": {"clk": {"achieved": 40.0, "constraint": 12.0}}}'
    for env, body in [
        ("YOSYS", "true"),
        ("NEXTPNR_ICE40", f"echo '{report}' > top.report.json"),
        ("ICEPACK", "echo bits > top.bin"),
    ]:
        script = bindir / env.lower()
        script.write_text(f"#!/bin/sh\n{body}\n")
        script.chmod(0o755)
        monkeypatch.setenv(env, str(script))
    monkeypatch.chdir(tmp_path)
    files = tmp_path / "files"
    files.mkdir()
    (files / "u8.scir").write_text(U8)
    (files / "demo.scir").write_text((ROOT / "examples" / "demo.scir").read_text())
    (files / "empty.scir").write_text("")
    (files / "latin1.scir").write_bytes("sc.graph @é {\n}\n".encode("latin-1"))
    (files / "nul.scir").write_bytes(b"\x00" * 100)
    (files / "folder").mkdir()
    np.savez(files / "in.npz", x=np.array([1, 2]), p=np.array([0.5, 0.25]))
    np.savez(files / "bad.npz", x=np.array(["a"]), p=np.ones((2, 2)))
    (files / "junk.npz").write_bytes(bytes(range(256)))
    rng = random.Random(0)
    for k in range(3):  # mutated graphs
        text = list(U8)
        for _ in range(4):
            text[rng.randrange(len(text))] = rng.choice('%"=,:<>()[]{}@x0é\n ')
        (files / f"mut{k}.scir").write_text("".join(text))
    return [
        *sorted(str(p.relative_to(tmp_path)) for p in files.iterdir()),
        "missing.scir",
        "out/x.sv",
        "files/u8.scir/x.sv",
        ".",
        "/",
    ]


def _argv(rng: random.Random, paths: list[str]) -> list[str]:
    command = rng.choice(list(COMMANDS))
    argv = [command]
    if command != "boards":
        argv.append(rng.choice(paths[:8] + ["files/u8.scir"] * 6 + ["files/demo.scir"] * 2))
    for _ in range(rng.randint(0, 5)):
        if COMMANDS[command] and rng.random() < 0.7:
            argv.append(rng.choice(COMMANDS[command]))
        argv.append(rng.choice(VALUES + paths) if rng.random() < 0.8 else rng.choice(paths))
    if command == "verify" and "--no-verilator" not in argv:
        argv.append("--no-verilator")  # the stand-in runs the twin only anyway
    if command == "run":
        argv += ["--timeout", "0.2"]  # the last --timeout wins: no reply is awaited long
    return argv


def _alarm(signum, frame):
    raise TimeoutError("the command did not finish within 60 s")


def test_cli_fuzz(world, capsys):
    rng = random.Random(15)
    outcomes = {0: 0, 1: 0, 2: 0}
    old = signal.signal(signal.SIGALRM, _alarm)
    try:
        for _case in range(600):
            argv = _argv(rng, world)
            signal.alarm(60)
            try:
                code = main(argv)
            except SystemExit as exc:
                if isinstance(exc.code, str):
                    print(exc.code, file=sys.stderr)
                    code = 1
                else:
                    code = exc.code
            finally:
                signal.alarm(0)
            out = capsys.readouterr()
            assert code in outcomes, (argv, code, out.err)
            outcomes[code] += 1
            if code:
                assert out.err.count("\n") == 1 and out.err.strip(), (argv, out.err)
                assert out.err.startswith("scgen"), (argv, out.err)
            else:
                assert out.err == "", (argv, out.err)
    finally:
        signal.signal(signal.SIGALRM, old)
    assert outcomes[0] > 20 and outcomes[1] > 30 and outcomes[2] > 300, outcomes
