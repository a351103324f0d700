"""docs/ARCHITECTURE.md's arrows are the code's: every import between edxtui's parts (its
first-level modules and packages), also inside a function or for type checking only, is
drawn there, and nothing is drawn that the code does not do."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "edxtui"
DOC = ROOT / "docs" / "ARCHITECTURE.md"


def _part(module: str) -> str:
    return module.split(".")[1]


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imported_modules() -> dict[str, set[str]]:
    """For each part, the edxtui modules it imports from other parts."""
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        part = path.relative_to(PACKAGE).with_suffix("").parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module == "edxtui":  # from edxtui import config, __version__
                    names = [f"edxtui.{a.name}" for a in node.names if a.name != "__version__"]
                else:  # a submodule by its own name: `from edxtui.sandbox import config`
                    names = [
                        f"{node.module}.{a.name}"
                        if _is_module(f"{node.module}.{a.name}")
                        else node.module
                        for a in node.names
                    ]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                if name.startswith("edxtui.") and _part(name) != part:
                    found.setdefault(part, set()).add(name)
    return found


def drawn_arrows() -> set[tuple[str, str]]:
    """The arrows of the ```text block under "## Arrows" in ARCHITECTURE.md."""
    section = DOC.read_text(encoding="utf-8").split("## Arrows", 1)[1]
    block = section.split("```text", 1)[1].split("```", 1)[0]
    arrows = set()
    for line in block.strip().splitlines():
        source, targets = re.fullmatch(r"(\w+)\s+->\s+(.+)", line.strip()).groups()
        arrows |= {(source, target.strip()) for target in targets.split(",")}
    return arrows


def test_the_architecture_doc_draws_every_arrow_and_no_other():
    code = {(part, _part(m)) for part, modules in imported_modules().items() for m in modules}
    drawn = drawn_arrows()
    assert ("cli", "api") in code and ("sandbox", "api") in code, "the walk finds imports"
    assert code - drawn == set(), "arrows in the code that ARCHITECTURE.md does not draw"
    assert drawn - code == set(), "arrows ARCHITECTURE.md draws that the code does not have"


def test_the_narrow_arrows_stay_narrow():
    modules = imported_modules()
    assert {m for m in modules["sandbox"] if _part(m) == "api"} == {"edxtui.api.credentials"}
    assert {m for m in modules["config"] if _part(m) == "sandbox"} == {"edxtui.sandbox.wire"}
    assert {m for m in modules["tui"] if _part(m) == "sandbox"} == {"edxtui.sandbox.process"}
