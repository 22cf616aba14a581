"""The layer order, read from the source: every `import dcplan.X` (at module level or inside a
function) points down the line below, and no two packages import each other.

    errors, paths -> geo -> network -> scenario -> model -> solve -> results -> reports, plan
    -> analysis, sweeps -> cli (and the package's own __init__ / __main__)

geo and network are libraries the scenario's validation uses (site-in-state check, fiber graph,
superclusters); they take a scenario's tables, never import the scenario package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

SRC = Path(__file__).resolve().parents[1] / "src" / "dcplan"

LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "paths"),
    ("geo",),
    ("network",),
    ("scenario",),
    ("model",),
    ("solve",),
    ("results",),
    ("reports", "plan"),
    ("analysis", "sweeps"),
    ("cli", "__init__", "__main__"),
)
RANK = {pkg: i for i, layer in enumerate(LAYERS) for pkg in layer}


def _unit(path: Path) -> str:
    """The top-level unit of a source file: its subpackage, or the module name under dcplan/."""
    rel = path.relative_to(SRC)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imported_units(path: Path) -> set[str]:
    """Top-level dcplan units a file imports (absolute or relative, anywhere in the file)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    pkg = ".".join(("dcplan", *path.relative_to(SRC).parent.parts))
    out: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
                names = [".".join([*base, node.module] if node.module else base)]
            else:
                names = [node.module or ""]
            if names[0] == "dcplan":  # `from dcplan import X`: X is the unit
                names = [f"dcplan.{a.name}" for a in node.names]
        for n in names:
            parts = n.split(".")
            if parts[0] == "dcplan" and len(parts) > 1:
                out.add(parts[1])
    return out


def import_graph() -> nx.DiGraph:
    """Unit -> unit edges of dcplan's own imports, each edge with the files that make it."""
    g = nx.DiGraph()
    for path in sorted(SRC.rglob("*.py")):
        unit = _unit(path)
        g.add_node(unit)
        for dep in _imported_units(path) - {unit}:
            g.add_edge(unit, dep)
            g.edges[unit, dep].setdefault("files", []).append(str(path.relative_to(SRC)))
    return g


def test_every_unit_has_a_layer():
    assert set(import_graph().nodes) - set(RANK) == set(), "add new packages to LAYERS"


def test_imports_only_point_down_the_layers():
    g = import_graph()
    upward = [
        f"{a} -> {b} ({', '.join(d['files'])})" for a, b, d in g.edges(data=True) if RANK[b] > RANK[a]
    ]
    assert upward == [], "imports pointing up the layers:\n" + "\n".join(upward)


def test_no_import_cycles_between_packages():
    cycles = list(nx.simple_cycles(import_graph()))
    assert cycles == [], f"import cycles: {cycles}"


def test_the_check_sees_lazy_and_relative_imports(tmp_path, monkeypatch):
    """The parser counts an import inside a function and a relative one, so the test can fail."""
    pkg = tmp_path / "dcplan" / "results"
    pkg.mkdir(parents=True)
    f = pkg / "x.py"
    f.write_text("def f():\n    from dcplan.reports import plots\n\nfrom ..solve import highs\nfrom . import tables\n")
    monkeypatch.setattr(__import__(__name__), "SRC", tmp_path / "dcplan")
    assert _imported_units(f) == {"reports", "solve", "results"}
