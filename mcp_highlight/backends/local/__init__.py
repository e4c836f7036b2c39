"""The local backend: sessions, media, drafts (with undo) and render jobs in SQLite; the engine does the work."""

from mcp_highlight.backends.local.backend import LocalBackend

__all__ = ["LocalBackend"]
