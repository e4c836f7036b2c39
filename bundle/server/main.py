"""The bundle's entry point. Claude Desktop starts it through uv, as manifest.json says:

    uv run --directory <bundle folder> <bundle folder>/server/main.py

uv first installs the bundle's pyproject.toml (this package and its dependencies, Python itself if
needed) into the bundle's own environment; this file then serves MCP over stdio. Logs go to stderr.
"""

from mcp_highlight.fronts.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["serve"]))
