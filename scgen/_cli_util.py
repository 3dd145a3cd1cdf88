"""What every command line front end shares (``scgen`` and ``scgen run``)."""

from __future__ import annotations

from pathlib import Path

from .ir import Graph, ParseError, parse

__all__ = ["load_graph"]


def load_graph(path: str) -> Graph:
    """Read and parse a ``.scir`` file; exit with one line naming the file on any failure."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SystemExit(f"scgen: cannot read {path}: {exc.strerror}") from None
    try:
        return parse(text)
    except ParseError as exc:
        raise SystemExit(f"scgen: {path}: {exc}") from None
