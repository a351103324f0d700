"""The core's modules import each other one way: no cycle, not even inside a function.

`errors` and `retry` used to import each other (retry needed exception_chain, errors the
TLS and DNS classifiers, imported late to dodge the cycle).
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import edxtui.api

CORE = Path(edxtui.api.__file__).parent


def _imports(path: Path) -> set[str]:
    """The edxtui.api modules a file imports, at any depth, but not for type checking only."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "edxtui.api":
                found.update(f"edxtui.api.{alias.name}" for alias in node.names)
            elif node.module.startswith("edxtui.api."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("edxtui.api."))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def test_the_core_has_no_import_cycle():
    graph = {
        f"edxtui.api.{path.stem}": _imports(path)
        for path in CORE.glob("*.py")
        if path.stem != "__init__"
    }
    assert graph["edxtui.api.retry"], "the walk finds imports"
    try:
        list(TopologicalSorter(graph).static_order())
    except CycleError as err:
        raise AssertionError(f"import cycle in the core: {err.args[1]}") from None
