"""Input limits, defined once: the EditRequest fields, the tool parameters and the CLI all use these.

They are checked by the schema before any work starts, so an oversized argument costs nothing.
"""

from __future__ import annotations

MAX_INSTRUCTION_CHARS = 2000
"""An instruction is a sentence or two; 2000 characters is several paragraphs."""

MAX_TITLE_CHARS = 120
"""A title has to fit on one 1080p frame."""

MAX_PATH_CHARS = 4096
"""PATH_MAX on Linux; also bounds URLs and media ids."""

MAX_SOURCES = 50
"""Videos one reel may draw from."""

MAX_REEL_SECONDS = 4 * 3600
"""The longest reel anyone asks for; longer requests are a typo (e.g. '1:99:99')."""
