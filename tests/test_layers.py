"""The layer order of scgen, read from the imports (ast): no arrow may run the wrong way.

    params -> hw, sw -> primitives -> ir -> ir.lower -> emit.verilog, link, sim
           -> emit (boards, builds), host, the libraries (nn, learn, hdc, compat) -> cli, bench

A module may import its own layer and the layers below it, never a layer above (a lazy import
inside a function counts too: it is still an arrow). Module-level imports form no cycle. The
table is read from docs/architecture.md, so the documentation stays true.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "scgen"

DOC = ROOT.parent / "docs" / "architecture.md"


def doc_layers() -> list[tuple[int, list[str]]]:
    """The layer table of docs/architecture.md: (layer, module prefixes) per row."""
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| (\d+) \| (.*?) \|", line)
        if m:
            rows.append((int(m.group(1)), re.findall(r"`(scgen[\w.]*)`", m.group(2))))
    return rows


LAYERS = doc_layers()


def test_layers_table_is_documented():
    assert [n for n, _ in LAYERS] == list(range(8))
    assert all(prefixes for _, prefixes in LAYERS)


def layer_of(module: str) -> int:
    best, layer = -1, None
    for n, prefixes in LAYERS:
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and len(p) > best:
                best, layer = len(p), n
    assert layer is not None, f"module {module} has no layer"
    return layer


def modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def imports(module: str, path: Path) -> list[tuple[str, bool, int]]:
    """(imported scgen module, at module level, line) for every import in ``path``."""
    tree = ast.parse(path.read_text())
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    top_level = {id(n) for n in tree.body}
    for node in tree.body:  # imports under `if TYPE_CHECKING:` are not arrows at run time
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            top_level |= {id(n) for n in ast.walk(node)}
    out = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [target] + [f"{target}.{a.name}" for a in node.names]
        for name in names:
            if name.startswith("scgen"):
                out.append((name, id(node) in top_level, node.lineno))
    return out


MODULES = modules()


def resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def type_checking_only(path: Path) -> set[int]:
    tree = ast.parse(path.read_text())
    lines = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            lines |= {n.lineno for n in ast.walk(node) if hasattr(n, "lineno")}
    return lines


@pytest.mark.parametrize("module", sorted(MODULES))
def test_layers_no_import_runs_upwards(module):
    path = MODULES[module]
    skip = type_checking_only(path)
    bad = []
    for name, _, line in imports(module, path):
        target = resolve(name)
        if target is None or line in skip or target == "scgen":
            continue
        if layer_of(target) > layer_of(module):
            bad.append(f"{path.relative_to(ROOT.parent)}:{line} imports {target}")
    assert not bad, "; ".join(sorted(set(bad)))


def test_layers_no_module_level_cycles():
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module, path in MODULES.items():
        skip = type_checking_only(path)
        for name, top, line in imports(module, path):
            target = resolve(name)
            if top and target and target != module and line not in skip:
                # a package's __init__ importing its own submodules is not a cycle
                if not target.startswith(module + "."):
                    graph[module].add(target)
    seen, stack, cycles = set(), [], []

    def visit(m):
        if m in stack:
            cycles.append([*stack[stack.index(m) :], m])
            return
        if m in seen:
            return
        seen.add(m)
        stack.append(m)
        for t in sorted(graph[m]):
            visit(t)
        stack.pop()

    for m in sorted(graph):
        visit(m)
    assert not cycles, " ; ".join(" -> ".join(c) for c in cycles[:5])
