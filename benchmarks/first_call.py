"""``python -m benchmarks.first_call``: wall time of the issue-14 first-call commands, each in a
fresh process, cold (an empty kernel cache: compiling) and warm (after ``scgen warmup``).

Writes the section "First call in a fresh process" of RESULTS.md (``python -m benchmarks``
keeps it).
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "RESULTS.md"
HEADING = "## First call in a fresh process"

COMMANDS = [
    ("import scgen", [sys.executable, "-c", "import scgen"], 0.5),
    (
        "compat DenseLayer(64, 32, 1024).forward_numpy",
        [
            sys.executable,
            "-c",
            "import scgen.compat as v3, numpy as np; "
            "v3.DenseLayer(64, 32, 1024).forward_numpy(np.full(64, 0.5))",
        ],
        1.5,
    ),
    (
        "scgen sim examples/demo.scir --input x=0.5 --input w=0.25",
        [
            sys.executable,
            "-m",
            "scgen",
            "sim",
            "examples/demo.scir",
            "--input",
            "x=0.5",
            "--input",
            "w=0.25",
        ],
        2.0,
    ),
    (
        "scgen plan examples/demo.scir --board icebreaker",
        [sys.executable, "-m", "scgen", "plan", "examples/demo.scir", "--board", "icebreaker"],
        1.0,
    ),
]


def _wall(cmd: list[str], env: dict) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def main(repeat: int = 5) -> str:
    lines = [
        HEADING,
        "",
        "Wall time of each command in a new process (median of "
        f"{repeat} warm runs); cold = an empty cache, so every kernel it calls is compiled.",
        f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start "
        "(other jobs share the machine: times scale with the load).",
        "",
        "| command | cold (s) | warm (s) | target warm (s) |",
        "|---|---:|---:|---:|",
    ]
    for label, cmd, target in COMMANDS:
        with tempfile.TemporaryDirectory(prefix="scgen-first-call-") as cache:
            env = {**os.environ, "SCGEN_CACHE_DIR": cache, "PYTHONPATH": str(ROOT)}
            cold = _wall(cmd, env)
            warm = statistics.median(_wall(cmd, env) for _ in range(repeat))
        lines.append(f"| `{label}` | {cold:.2f} | {warm:.2f} | {target} |")
        print(lines[-1], flush=True)
    section = "\n".join(lines) + "\n"
    text = RESULTS.read_text() if RESULTS.exists() else ""
    keep, _, rest = text.partition(HEADING)
    keep = keep.rstrip("\n")
    after = rest[rest.find("\n## ") :] if "\n## " in rest else ""  # later sections stay
    RESULTS.write_text((keep + "\n\n" if keep else "") + section + after)
    return section


if __name__ == "__main__":
    main()
