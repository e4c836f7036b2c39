"""Input limits, defined once: the EditRequest fields, the tool parameters and the CLI all use these.

They are checked by the schema before any work starts, so an oversized argument costs nothing.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

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


class MediaLimits(BaseModel):
    """What a file may declare before any work starts on it (see README, Security).

    A few kB can declare a 100-million-second timeline or a 20000x20000 picture; decoding or analysing
    that costs gigabytes, so the declared numbers are checked first, against these.
    """

    max_duration_s: float = Field(12 * 3600, gt=0, description="Longest recording accepted, in seconds.")
    max_frame_side: int = Field(8192, gt=0, description="Widest or tallest picture accepted, in pixels.")
    max_pixels: int = Field(8192 * 4320, gt=0, description="Most pixels in one picture (video frame or logo).")
    max_streams: int = Field(64, gt=0, description="Most streams (picture, sound, subtitles, data) in one file.")


MIN_BYTES_PER_SECOND = 40
"""A recording holds at least this much per second it declares: even a still picture coded at one frame a
second takes more (frame header and container overhead). Less means the timestamps lie (a 1 kB file
declaring 1e8 s), and analysing the declared length would allocate for all of it."""
