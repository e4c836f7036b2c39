"""The fronts: the `mcp-highlight` command (`cli`), the MCP server (`server`), its HTTP app (`http_app`) and what
only they need (MCP progress notifications, legacy resource subscriptions). No logic the other front would need."""
