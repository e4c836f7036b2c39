"""The README's first MCP instructions work from a checkout, and its numbers are the measured ones."""

from __future__ import annotations

import os
import re
import shlex
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from mcp_highlight.fronts import cli

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
FIRST_SECTION = "## Use it from Claude Desktop or Cursor"


def section(title: str) -> str:
    start = README.index(title)
    end = README.find("\n## ", start + len(title))
    return README[start : end if end != -1 else None]


def dependency_closure() -> set[str]:
    """Every distribution installing mcp-highlight brings along, on this platform (extras left out)."""
    wanted = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    found: set[str] = set()
    todo = [Requirement(text) for text in wanted]
    while todo:
        requirement = todo.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
            continue
        name = canonicalize_name(requirement.name)
        if name in found:
            continue
        found.add(name)
        try:
            todo.extend(Requirement(text) for text in distribution(name).requires or [])
        except PackageNotFoundError:
            pytest.fail(f"{name} is a dependency but is not installed here")
    return found


def test_the_readme_leads_with_the_mcp_setup_that_works_from_a_checkout() -> None:
    first_heading = re.search(r"^## .*$", README, re.MULTILINE)
    assert first_heading and first_heading.group(0) == FIRST_SECTION
    commands = re.search(r"```bash\n(.*?)```", section(FIRST_SECTION), re.DOTALL)
    assert commands
    lines = [line.split("#")[0].strip() for line in commands.group(1).splitlines() if line.strip()]
    setup_lines = [shlex.split(line) for line in lines if " setup " in f" {line} "]
    assert setup_lines, "the first commands include `mcp-highlight setup`"
    for words in setup_lines:
        assert words[0] == ".venv/bin/mcp-highlight"
        parsed = cli.build_parser().parse_args(words[1:])  # the command exists, with these arguments
        assert parsed.command == "setup" and parsed.client in ("claude", "cursor")
    assert "pip install ." in lines[0]
    bundle = ROOT / "scripts" / "bundle"
    assert "scripts/bundle" in section(FIRST_SECTION) and bundle.is_file() and os.access(bundle, os.X_OK)


def test_uvx_is_only_offered_where_the_readme_says_the_package_is_not_published_yet() -> None:
    for paragraph in README.split("\n\n"):
        if "uvx" in paragraph:
            assert "published" in paragraph, paragraph


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the README counts the Linux dependencies")
def test_the_readme_states_the_number_of_dependencies_installing_it_brings() -> None:
    stated = re.search(r"mcp-highlight and its (\d+) dependencies on Linux", README)
    assert stated, "the README states the dependency count"
    assert int(stated.group(1)) == len(dependency_closure())
