"""Print cycles per second of every primitive: twin (one stream, batched on 1 and all threads),
Amaranth pysim and Verilator. Same as ``scgen bench --suite primitives``; ``make bench`` runs it.
"""

import sys

from scgen.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", "--suite", "primitives", *sys.argv[1:]]))
