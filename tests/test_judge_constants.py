"""Judgement constants live in one table (engine/judge/constants.py), each with where it came from:
the function bodies of sound_cues, fuse and moments hold no numbers of their own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mcp_highlight.engine.judge import constants

JUDGE = Path(constants.__file__).parent
ARITHMETIC = {0, 1, -1, 2, 3, 4, 0.5, 10, 12, 50, 100, 1.4826}
"""Numbers that are arithmetic, not judgement: dB (10 log10), semitones (12 per octave), percent,
the median (50th percentile), halves and rounding digits, the normal MAD factor (1.4826)."""


def numbers_in_functions(module: str) -> list[tuple[str, float, int]]:
    tree = ast.parse((JUDGE / f"{module}.py").read_text())
    found = []
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef):
            for node in ast.walk(fn):
                value = getattr(node, "value", None)
                if isinstance(node, ast.Constant) and isinstance(value, int | float) and not isinstance(value, bool):
                    found.append((fn.name, value, node.lineno))
    return found


@pytest.mark.parametrize("module", ["sound_cues", "fuse", "moments"])
def test_no_judgement_number_is_written_inside_a_function(module: str) -> None:
    magic = [(name, value, line) for name, value, line in numbers_in_functions(module) if value not in ARITHMETIC]
    magic = [(name, value, line) for name, value, line in magic if abs(value) >= 1e-5]  # epsilons against log(0)
    assert not magic, f"move these into constants.py with where they came from: {magic}"


def test_every_constant_says_where_its_value_came_from() -> None:
    source = (JUDGE / "constants.py").read_text()
    tree = ast.parse(source)
    body = tree.body
    undocumented = []
    for i, node in enumerate(body):
        if not isinstance(node, ast.Assign):
            continue
        names = [t.id for t in node.targets if isinstance(t, ast.Name)] or [
            e.id for t in node.targets if isinstance(t, ast.Tuple) for e in t.elts if isinstance(e, ast.Name)
        ]
        # Documented by the docstring after it, or after the group of assignments it belongs to.
        rest = body[i + 1 :]
        following = next((n for n in rest if not isinstance(n, ast.Assign)), None)
        documented = (
            isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        )
        if not documented:
            undocumented += names
    assert not undocumented, undocumented
