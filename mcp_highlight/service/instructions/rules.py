"""The machinery every rule shares: the reading in progress, a rule, and the helpers that build rules.

A rule's patterns are tried in order over the whole text; each match it accepts is masked (same
length, so positions stay stable) and listed as understood. Rules run by `priority`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

MASK = "\x00"  # consumed text; not \s, not \w, so no pattern can match across it
Hits = list[tuple[int, str]]  # (position, phrase) of everything understood


@dataclass
class Reading:
    """A reading in progress: the fields set so far, the uploads it may name, and the whole text."""

    fields: dict[str, Any] = field(default_factory=dict)
    known: dict[str, str] = field(default_factory=dict)
    text: str = ""

    def resolve(self, name: str) -> str:
        """Id of an uploaded file named like `name` (exact, then case-insensitive basename); else `name`."""
        if name in self.known:
            return self.known[name]
        base = re.split(r"[\\/]", name)[-1].lower()
        for key, media_id in self.known.items():
            if key.lower() == name.lower() or re.split(r"[\\/]", key)[-1].lower() == base:
                return media_id
        return name

    def music_context(self) -> bool:
        return "music" in self.fields or bool(
            re.search(r"music|bgm|song|soundtrack|volume|音乐|配乐|音量", self.text, re.I)
        )


Apply = Callable[[re.Match[str], Reading], bool]


@dataclass(frozen=True)
class Rule:
    """Patterns tried in order; `apply` updates the state and returns False to leave the text unconsumed."""

    name: str
    priority: int  # lower runs first: a phrase consumed by one rule is never read by a later one
    patterns: tuple[re.Pattern[str], ...]
    apply: Apply
    listed: bool = True  # False for filler words that are understood but change nothing

    def run(self, work: str, st: Reading, hits: Hits) -> str:
        """Apply every pattern in order, masking what was consumed."""
        for pattern in self.patterns:

            def repl(m: re.Match[str]) -> str:
                if not self.apply(m, st):
                    return m.group(0)
                if self.listed:
                    hits.append((m.start(), m.group(0).strip()))
                return MASK * len(m.group(0))

            work = pattern.sub(repl, work)
        return work


def rx(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.I) for p in patterns)


def sets(**values: Any) -> Apply:
    def apply(_m: re.Match[str], st: Reading) -> bool:
        st.fields.update(values)
        return True

    return apply


class Step(Protocol):
    """What the reader runs: a Rule, or a rule that reads the text its own way (uploads named by name)."""

    name: str
    priority: int

    def run(self, work: str, st: Reading, hits: Hits) -> str: ...
