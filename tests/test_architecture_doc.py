"""docs/architecture.md stays true: every module of the package is named there."""

from __future__ import annotations

from pathlib import Path

import mcp_highlight

PACKAGE = Path(mcp_highlight.__file__).parent
DOC = PACKAGE.parent / "docs" / "architecture.md"


def test_every_module_has_its_line_in_the_architecture_page() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if path.name == "__init__.py" and relative.parent != Path("."):
            continue  # a package is named by its folder (`synth/`) or its modules
        name = relative.as_posix()
        stem_form = f"`{relative.stem}`"  # modules of a package listed by stem, e.g. `grammar`
        if f"`{name}`" not in text and not (relative.parent != Path(".") and stem_form in text):
            missing.append(name)
    assert not [m for m in missing if m != "__init__.py"], f"add these modules to docs/architecture.md: {missing}"
