"""Title and caption images drawn with Pillow, so text never depends on a system font or ffmpeg's drawtext."""

from __future__ import annotations

import importlib.util
import os
import tempfile
import unicodedata
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from mcp_highlight.core.logs import get_logger

log = get_logger(__name__)

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

# Tried in order; the first that exists and has glyphs for the text wins. Pillow's own scalable
# font (load_default(size=...)) is the last resort, so text renders on a bare machine too.
_LATIN_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
    "/Library/Fonts/Arial Bold.ttf",
    "/System/Library/Fonts/Supplemental/Arial Bold.ttf",
    "C:/Windows/Fonts/arialbd.ttf",
)
_CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)
_PACKAGED_FONTS = Path(__file__).resolve().parent.parent / "fonts"


def _needs_cjk(text: str) -> bool:
    return any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in text)


@cache
def _pypi_cjk_fonts() -> tuple[str, ...]:
    """Noto Sans CJK from PyPI (the `cjk` extra: `pip install mcp-highlight[cjk]`), when installed."""
    spec = importlib.util.find_spec("cvttf_NotoSansCJK_Bold")
    if spec is None or not spec.submodule_search_locations:
        return ()
    return tuple(sorted(str(p) for folder in spec.submodule_search_locations for p in Path(folder).glob("*.otf")))


def _candidates(text: str) -> list[str]:
    packaged = sorted(str(p) for p in _PACKAGED_FONTS.glob("*.[ot]t[fc]")) if _PACKAGED_FONTS.is_dir() else []
    packaged += _pypi_cjk_fonts()
    extra = [os.environ["MCP_HIGHLIGHT_FONT"]] if os.environ.get("MCP_HIGHLIGHT_FONT") else []
    ordered = (*_CJK_FONTS, *_LATIN_FONTS) if _needs_cjk(text) else (*_LATIN_FONTS, *_CJK_FONTS)
    return [*extra, *packaged, *ordered]


@cache
def _font_file(path: str, size: int) -> ImageFont.FreeTypeFont | None:
    try:
        return ImageFont.truetype(path, size)
    except OSError:
        return None


def _covers(font: Font, text: str) -> bool:
    """True when no visible character of `text` falls back to the font's empty 'missing glyph' box."""
    if not isinstance(font, ImageFont.FreeTypeFont):
        return True
    missing = _glyph(font, "\ufffe")
    return all(ch.isspace() or _glyph(font, ch) != missing for ch in set(text))


def _glyph(font: ImageFont.FreeTypeFont, ch: str) -> tuple[tuple[int, int], bytes]:
    mask = font.getmask(ch)
    return mask.size, bytes(mask)


def load_font(text: str, size: int) -> Font:
    """A font at `size` px that can draw `text`, falling back to Pillow's built-in scalable font."""
    for path in _candidates(text):
        if os.path.exists(path):
            font = _font_file(path, size)
            if font is not None and _covers(font, text):
                return font
    fallback = ImageFont.load_default(size=size)
    if not _covers(fallback, text):
        log.warning("font_missing_glyphs", text=text, hint="pip install 'mcp-highlight[cjk]' or set MCP_HIGHLIGHT_FONT")
    return fallback


def _wrap(text: str, font: Font, max_width: int, draw: ImageDraw.ImageDraw) -> list[str]:
    """Greedy word wrap (character wrap for text without spaces, such as CJK)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        tokens = paragraph.split(" ") if " " in paragraph else list(paragraph)
        joiner = " " if " " in paragraph else ""
        line = ""
        for token in tokens:
            trial = f"{line}{joiner}{token}" if line else token
            if draw.textlength(trial, font=font) <= max_width or not line:
                line = trial
            else:
                lines.append(line)
                line = token
        lines.append(line)
    return lines


def text_image(
    text: str,
    *,
    font_px: int,
    max_width: int,
    box_alpha: int = 150,
    pad_px: int | None = None,
    shadow: bool = True,
) -> Image.Image:
    """White text with a soft shadow on a rounded translucent box, as a tight RGBA image.

    The font shrinks (down to half size) before the text wraps, so short titles stay on one line.
    """
    scratch = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    size = font_px
    font = load_font(text, size)
    while size > font_px // 2 and scratch.textlength(text.replace("\n", " "), font=font) > max_width:
        size = int(size * 0.9)
        font = load_font(text, size)
    lines = _wrap(text, font, max_width, scratch)
    spacing = max(2, size // 5)
    block = "\n".join(lines)
    left, top, right, bottom = scratch.multiline_textbbox((0, 0), block, font=font, spacing=spacing, align="center")
    pad = pad_px if pad_px is not None else max(6, size // 3)
    width = int(right - left) + 2 * pad
    height = int(bottom - top) + 2 * pad
    width += width % 2
    height += height % 2
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, width - 1, height - 1), radius=max(4, pad // 2), fill=(0, 0, 0, box_alpha))
    origin = (pad - left, pad - top)
    if shadow:
        shade = Image.new("RGBA", image.size, (0, 0, 0, 0))
        offset = max(2, size // 20)
        ImageDraw.Draw(shade).multiline_text(
            (origin[0] + offset, origin[1] + offset),
            block,
            font=font,
            fill=(0, 0, 0, 220),
            spacing=spacing,
            align="center",
        )
        shade = shade.filter(ImageFilter.GaussianBlur(max(1, size // 25)))
        image = Image.alpha_composite(image, shade)
        draw = ImageDraw.Draw(image)
    draw.multiline_text(origin, block, font=font, fill=(255, 255, 255, 255), spacing=spacing, align="center")
    return image


def title_image(text: str, frame: tuple[int, int]) -> Image.Image:
    """A large title sized for the frame: about 1/13 of the short side, at most 86% of the width."""
    width, height = frame
    return text_image(text, font_px=max(24, min(width, height) // 13), max_width=int(width * 0.86), box_alpha=140)


def caption_image(text: str, frame: tuple[int, int]) -> Image.Image:
    """A small caption for a corner: about 1/30 of the short side, at most 60% of the width."""
    width, height = frame
    return text_image(text, font_px=max(14, min(width, height) // 30), max_width=int(width * 0.6), box_alpha=120)


def save_png(image: Image.Image, folder: Path, stem: str) -> Path:
    """Write `image` as a PNG in `folder` (a private work directory) and return its path."""
    fd, name = tempfile.mkstemp(prefix=f"{stem}-", suffix=".png", dir=folder)
    os.close(fd)
    image.save(name, format="PNG")
    return Path(name)


def logo_image(path: Path, frame: tuple[int, int], *, width_fraction: float, opacity: float) -> Image.Image:
    """The logo as RGBA, `width_fraction` of the frame wide (first frame of an animated GIF), faded to `opacity`."""
    with Image.open(path) as source:
        image = source.convert("RGBA")
    width = max(8, round(frame[0] * width_fraction))
    height = max(8, round(image.height * width / image.width))
    image = image.resize((width, height), Image.Resampling.LANCZOS)
    if opacity < 1.0:
        alpha = image.getchannel("A").point(lambda a: round(a * opacity))
        image.putalpha(alpha)
    return image
