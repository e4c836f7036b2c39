"""File names and URLs in words, and uploads named by name: they set music, logo or sources."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mcp_highlight.engine.media.kinds import extensions
from mcp_highlight.service.instructions.rules import MASK, Hits, Reading

AUDIO_EXT = frozenset(extensions("audio"))
VIDEO_EXT = frozenset(extensions("video"))
IMAGE_EXT = frozenset(extensions("image"))
MEDIA_EXT = sorted(AUDIO_EXT | VIDEO_EXT | IMAGE_EXT, key=len, reverse=True)
EXT = rf"(?:{'|'.join(MEDIA_EXT)})"
PATH_CHAR = r"[^\s'\"“”‘’「」《》『』,，。;；、()（）\[\]\\/\u3000-\u9fff\x00]"
#: A file name or path with a media extension, quoted (spaces and CJK allowed) or bare.
FILE_PATTERN = (
    rf"(?:(?P<fq>['\"“‘「])(?P<qpath>[^'\"”’」\x00]+?\.{EXT})['\"”’」]"
    rf"|(?<![A-Za-z0-9_.\\/-])(?P<path>(?:[A-Za-z]:[\\/]|~[\\/]|\.{{0,2}}[\\/])?(?:{PATH_CHAR}+[\\/])*{PATH_CHAR}+?\.{EXT})\b)"
)
URL_PATTERN = r"\bhttps?://[^\s'\"“”<>\x00]+"


def extension_of(path: str) -> str:
    return path.rsplit(".", 1)[-1].lower() if "." in path else ""


@dataclass(frozen=True)
class KnownMediaRule:
    """Uploaded files mentioned by name or id (no path syntax needed): audio -> music, video -> sources."""

    name: str
    priority: int
    listed: bool = True

    def run(self, work: str, st: Reading, hits: Hits) -> str:
        names: dict[str, tuple[str, str]] = {}  # spelled name -> (id, extension); stems let 'Crowd Chant' match
        for key, media_id in st.known.items():
            names.setdefault(key, (media_id, extension_of(key)))
            stem = key.rsplit(".", 1)[0] if extension_of(key) in MEDIA_EXT else ""
            if stem:
                names.setdefault(re.split(r"[\\/]", stem)[-1], (media_id, extension_of(key)))
        for key in sorted(names, key=len, reverse=True):
            if len(key) < 3:
                continue
            pattern = re.compile(
                rf"(?:\b(?:add|use|using|put|play|with|from|only)\s+(?:the\s+)?|(?:加上?|添加|用|配上?)\s*)?"
                rf"(?<![A-Za-z0-9_.]){re.escape(key)}(?![A-Za-z0-9_])",
                re.I,
            )
            media_id, ext = names[key]

            def repl(m: re.Match[str], media_id: str = media_id, ext: str = ext) -> str:
                if ext in AUDIO_EXT or (ext not in VIDEO_EXT and st.music_context()):
                    st.fields["music"] = media_id
                elif ext in VIDEO_EXT:
                    st.fields.setdefault("sources", []).append(media_id)
                else:
                    return m.group(0)
                hits.append((m.start(), m.group(0).strip()))
                return MASK * len(m.group(0))

            work = pattern.sub(repl, work)
        return work


def last_known_audio(st: Reading) -> str | None:
    """The most recently listed uploaded audio file (callers list media oldest first)."""
    audio = [media_id for key, media_id in st.known.items() if extension_of(key) in AUDIO_EXT]
    return audio[-1] if audio else None
