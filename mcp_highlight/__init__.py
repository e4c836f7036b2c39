"""mcp_highlight: long recordings in, short 1080p highlight reels out."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mcp-highlight")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
