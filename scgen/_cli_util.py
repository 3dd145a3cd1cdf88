"""What every command line front end shares (``scgen`` and ``scgen run``)."""

from __future__ import annotations

from .ir import Graph, ParseError, parse
from .limits import MAX_GRAPH_BYTES

__all__ = ["load_graph"]


def load_graph(path: str) -> Graph:
    """Read and parse a ``.scir`` file; exit with one line naming the file on any failure
    (unreadable, larger than the limit, not UTF-8, not a graph)."""

    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_GRAPH_BYTES + 1)
    except OSError as exc:
        raise SystemExit(f"scgen: cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_GRAPH_BYTES:
        raise SystemExit(
            f"scgen: {path} is larger than the {MAX_GRAPH_BYTES >> 20} MiB a graph file may be"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SystemExit(
            f"scgen: {path} must be UTF-8 text (a .scir graph), not bytes such as "
            f"{data[exc.start : exc.start + 1]!r} at offset {exc.start}"
        ) from None
    try:
        return parse(text)
    except ParseError as exc:
        raise SystemExit(f"scgen: {path}: {exc}") from None
