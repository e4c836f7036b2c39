"""The `mcp-highlight` command. Placeholder until the engine lands."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    print("mcp-highlight: not built yet", args, file=sys.stderr)
    return 1
