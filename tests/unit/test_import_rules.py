"""The shape of the code, checked (issue 15): the shared kernel (`pantau/`) imports no service and
not the composition (`pantau_platform/`, which may import everything), no service imports another
or the composition, and no two modules import each other in a circle (module-level imports: an
import inside a function is run later and cannot deadlock the import of either module).

`make lint` checks the same rules with import-linter ([tool.importlinter] in pyproject.toml), whose
cycle contract also counts imports inside functions but only between sibling modules; this test
also sees a package and its own submodule importing each other at module level."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("pantau", "services", "pantau_platform")
SERVICES = ("survey", "consultation", "complaints", "aggregator")
COMPOSITION = "pantau_platform"


def modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            rel = path.relative_to(ROOT).with_suffix("")
            name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
            out[name] = path
    return out


def imports(name: str, path: Path, known: dict[str, Path], module_level: bool) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_pkg = path.name == "__init__.py"
    base = name if is_pkg else name.rsplit(".", 1)[0]
    nodes = tree.body if module_level else list(ast.walk(tree))
    if module_level:  # also inside module-level if/try blocks
        nodes = [n for top in tree.body for n in ast.walk(top)
                 if not isinstance(top, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    out: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parent = base.split(".")
                parent = parent[: len(parent) - (node.level - 1)]
                mod = ".".join(parent + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            # `from pkg import sub` imports the submodule; `from pkg import name` imports pkg
            names = [f"{mod}.{a.name}" if f"{mod}.{a.name}" in known else mod for a in node.names]
        else:
            continue
        for n in names:
            while n and n not in known:
                n = n.rsplit(".", 1)[0] if "." in n else ""
            if n and n != name:
                out.add(n)
    return out


def _top(module: str) -> str:
    return module.split(".", 1)[0]


def test_the_kernel_imports_no_service_and_not_the_composition():
    known = modules()
    bad = {m: sorted(i for i in imports(m, p, known, False) if _top(i) in ("services", COMPOSITION))
           for m, p in known.items() if _top(m) == "pantau"}
    assert not {m: v for m, v in bad.items() if v}, bad


def test_no_service_imports_the_composition():
    known = modules()
    bad = {m: sorted(i for i in imports(m, p, known, False) if _top(i) == COMPOSITION)
           for m, p in known.items() if _top(m) == "services"}
    assert not {m: v for m, v in bad.items() if v}, bad


def test_the_composition_is_where_the_services_are_named():
    """The rules above are not empty: the composition starts the aggregator's consumer."""
    known = modules()
    assert "services.aggregator.consumer" in imports("pantau_platform.cli", known["pantau_platform.cli"], known, False)


def test_no_service_imports_another():
    known = modules()
    bad = {}
    for m, p in known.items():
        parts = m.split(".")
        if parts[0] != "services" or len(parts) < 2 or parts[1] not in SERVICES:
            continue
        other = {i for i in imports(m, p, known, False) if i.startswith("services.") and i.split(".")[1] != parts[1]
                 and i.split(".")[1] in SERVICES}
        if other:
            bad[m] = sorted(other)
    assert not bad, bad


def test_no_import_cycles():
    known = modules()
    graph = {m: imports(m, p, known, True) for m, p in known.items()}
    cycles, state, stack = [], {}, []

    def visit(m):
        state[m] = "open"
        stack.append(m)
        for n in sorted(graph.get(m, ())):
            if state.get(n) == "open":
                cycles.append(stack[stack.index(n):] + [n])
            elif n not in state:
                visit(n)
        stack.pop()
        state[m] = "done"

    for m in sorted(graph):
        if m not in state:
            visit(m)
    assert not cycles, cycles


STORE_ADAPTER = ("pantau.store", "pantau_platform.infra")  # the adapter and the process that starts the store


def _names_the_stand_in(path: Path) -> bool:
    return "ferret" in path.read_text(encoding="utf-8").lower()


def test_only_the_store_adapter_names_the_local_store():
    """FerretDB's limits are handled in pantau/store/ (and it is built and started by
    pantau_platform/infra/); no other module names it (issue 15)."""
    known = modules()
    inside = {m for m in known if any(m == a or m.startswith(a + ".") for a in STORE_ADAPTER)}
    assert any(_names_the_stand_in(known[m]) for m in inside)  # the check reads the right text
    bad = sorted(str(p.relative_to(ROOT)) for m, p in known.items() if m not in inside and _names_the_stand_in(p))
    assert not bad, bad
