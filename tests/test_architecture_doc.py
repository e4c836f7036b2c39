"""docs/architecture.md stays true: its module lines, its layers tables and its "defined once" rows are
checked against the code and the import contracts."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import mcp_highlight

PACKAGE = Path(mcp_highlight.__file__).parent
ROOT = PACKAGE.parent
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def _section(title: str) -> str:
    start = DOC.index(f"## {title}")
    end = DOC.find("\n## ", start + 1)
    return DOC[start : end if end > 0 else None]


def _table_rows(text: str) -> list[list[str]]:
    rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in text.splitlines() if line.startswith("|")]
    return rows[2:]  # after the header and its rule


def test_every_module_has_its_line_in_the_architecture_page() -> None:
    modules = _section("Modules")
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if path.name == "__init__.py" and relative.parent != Path("."):
            continue  # a package is named by its folder or its modules
        name = relative.as_posix()
        stem_form = f"`{relative.stem}`"  # modules of a package listed by stem, e.g. `grammar`
        if f"`{name}`" not in modules and not (relative.parent != Path(".") and stem_form in modules):
            missing.append(name)
    assert [m for m in missing if m != "__init__.py"] == [], "add these modules to docs/architecture.md"


def test_every_module_line_names_a_file_that_exists() -> None:
    named = re.findall(r"^- `([\w/.]+\.py)`", _section("Modules"), flags=re.M)
    assert len(named) > 50
    gone = [n for n in named if not ((PACKAGE / n).exists() or (ROOT / n).exists())]
    assert gone == [], "docs/architecture.md names modules that no longer exist"


def test_the_layers_table_is_the_import_contract() -> None:
    table = _section("Layers").split("From the top down", 1)[1].split("Inside the engine", 1)[0]
    documented = [sorted(re.findall(r"`(mcp_highlight[\w.]*)`", row[1])) for row in _table_rows(table)]
    contract = next(c for c in CONTRACTS if c["name"].startswith("Layers point one way"))
    assert documented == [sorted(layer.replace(" ", "").split("|")) for layer in contract["layers"]]


def test_the_stages_table_is_the_engine_contract_in_pipeline_order() -> None:
    table = _section("Layers").split("Inside the engine", 1)[1]
    documented = [re.fullmatch(r"`engine\.(\w+)`", row[1]).group(1) for row in _table_rows(table)]
    contract = next(c for c in CONTRACTS if c.get("containers") == ["mcp_highlight.engine"])
    assert documented == list(reversed(contract["layers"]))
    assert set(documented) == {p.name for p in (PACKAGE / "engine").iterdir() if (p / "__init__.py").exists()}


def _top_level_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign) and not isinstance(node.value, ast.Name | ast.Attribute):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def test_each_concept_is_defined_in_its_one_place_and_nowhere_else() -> None:
    rows = _table_rows(_section("One definition of each concept"))
    assert len(rows) >= 8
    definitions = {p.relative_to(PACKAGE).as_posix(): _top_level_names(p) for p in PACKAGE.rglob("*.py")}
    for concept, symbol_cell, path_cell, *_ in rows:
        symbol, path = symbol_cell.strip("`"), path_cell.strip("`")
        assert symbol in definitions.get(path, set()), f"{concept}: `{symbol}` is not defined in {path}"
        elsewhere = sorted(p for p, names in definitions.items() if symbol in names and p != path)
        assert elsewhere == [], f"{concept}: `{symbol}` is defined again in {elsewhere}"
