"""``python -m benchmarks``: scgen against sc-neurocore-engine 3.15.7; writes RESULTS.md here."""

import sys
from pathlib import Path

from scgen.bench.engine import main

if __name__ == "__main__":
    sys.exit(main(["--out", str(Path(__file__).parent / "RESULTS.md"), *sys.argv[1:]]))
