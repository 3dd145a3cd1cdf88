"""Cycles per second of co-simulation: twin vs native Verilator vs cocotb, in one run.

Same as ``scgen bench --suite cosim``; see :mod:`scgen.bench.cosim`.
"""

import sys

from scgen.bench.cosim import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
