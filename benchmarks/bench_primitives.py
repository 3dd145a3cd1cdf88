"""Print cycles per second of every primitive: twin (one stream, batched on 1 and all threads),
Amaranth pysim and Verilator. Same as ``scgen bench``; run ``make bench``.

SC-NeuroCore has no per-primitive hardware simulation to compare with; its engine comparisons
(LIF batches, dense layers, encoders) live with the software-engine benchmarks.
"""

import sys

from scgen.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))
