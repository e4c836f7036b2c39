"""Plain-language edit instructions (English and Chinese) into an EditRequest, without a language model.

- `grammar`: the words rules are built from (numbers, durations, verbs, nouns);
- `phrasebook`: words that set a field to a constant, as rows of a table;
- `media_rules`, `timing_rules`: rules that take values (titles, music, volume, logos, files; lengths,
  moment counts, clip bounds, drops), each with an explicit priority;
- `files`: file names, URLs and uploads named by name;
- `reader`: runs every rule by priority and reports what was understood and what was left.

Conventions worth knowing: `drop_clips` is 1-based and negative numbers count from the end (-1 is the
last clip); relative asks that need the current draft ('quieter' -> `music_volume_scale`, 'make a
reel' -> `reel`) are fields of the edit like any other; file names with CJK characters must be quoted
or already uploaded (listed in `known_media`).
"""

from mcp_highlight.service.instructions.files import FILE_PATTERN, URL_PATTERN
from mcp_highlight.service.instructions.reader import (
    HELP_EN,
    HELP_ZH,
    ParsedInstruction,
    is_chinese,
    leftover_words,
    normalize,
    not_understood,
    parse_instruction,
    read_instruction,
)
from mcp_highlight.service.instructions.rules import MASK

__all__ = [
    "FILE_PATTERN",
    "HELP_EN",
    "HELP_ZH",
    "MASK",
    "URL_PATTERN",
    "ParsedInstruction",
    "is_chinese",
    "leftover_words",
    "normalize",
    "not_understood",
    "parse_instruction",
    "read_instruction",
]
