"""Title text: drawn glyphs, never the empty 'missing glyph' boxes, in Latin and Chinese."""

import numpy as np
import pytest

from mcp_highlight.engine.render.overlays import _covers, load_font, title_image


@pytest.mark.parametrize("text", ["Derby Day", "德比日", "决赛 Finals 2026"])
def test_a_font_that_draws_every_character_is_found(text: str) -> None:
    font = load_font(text, 64)
    assert _covers(font, text)


def test_a_chinese_title_draws_distinct_glyphs() -> None:
    a = np.asarray(title_image("德比日", (1920, 1080)).convert("L"))
    b = np.asarray(title_image("决赛日", (1920, 1080)).convert("L"))
    assert a.any() and b.any()
    assert (a != b).mean() > 0.001  # boxes would make both titles look alike
