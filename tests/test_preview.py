"""Preview images: the contact sheet of chosen moments and the excitement curve."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from media_files import MEDIA_CACHE, cached_ffmpeg
from PIL import Image

from mcp_highlight.core.durations import format_clock as clock
from mcp_highlight.core.errors import BadInputError, MediaNotFoundError
from mcp_highlight.engine.deliver.preview import contact_sheet, excitement_curve
from mcp_highlight.engine.plan.clip import Clip

PANEL = np.array([34, 37, 44])
BACKGROUND = np.array([24, 26, 31])


@pytest.fixture(scope="module")
def ramp() -> Path:
    """Black fading linearly to white over 4 s: a frame's brightness says when it was taken."""
    return cached_ffmpeg(
        MEDIA_CACHE / "preview-v1-ramp.mp4",
        "-f", "lavfi", "-i", "color=c=white:s=320x180:r=30:d=4,fade=t=in:st=0:d=4",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "30",
    )  # fmt: skip


@pytest.fixture(scope="module")
def portrait(ramp: Path) -> Path:
    """A 320x180 coded frame shown as 180x320 (rotation metadata)."""
    return cached_ffmpeg(
        MEDIA_CACHE / "preview-v1-portrait.mp4", "-display_rotation", "90", "-i", str(ramp), "-c", "copy"
    )


def tile(sheet: np.ndarray, index: int, *, columns: int, width: int) -> np.ndarray:
    """The thumbnail area of tile `index` in a sheet laid out like contact_sheet's."""
    gap, height, label = max(6, width // 32), round(width * 9 / 16), max(22, width // 10)
    row, col = divmod(index, columns)
    x, y = gap + col * (width + gap), gap + row * (height + label + gap)
    return sheet[y : y + height, x : x + width]


def test_clock_labels_are_source_times() -> None:
    assert clock(725) == "12:05"
    assert clock(5.9) == "0:05"
    assert clock(3725) == "1:02:05"


def test_each_thumbnail_is_the_middle_of_its_moment(ramp: Path, tmp_path: Path) -> None:
    clips = [Clip(source=ramp, start_s=0.0, end_s=1.0), Clip(source=ramp, start_s=2.5, end_s=3.5)]
    out = contact_sheet(clips, tmp_path / "sheet.png", columns=2, thumb_width=160)
    sheet = np.asarray(Image.open(out).convert("RGB")).astype(float)
    early = tile(sheet, 0, columns=2, width=160).mean()
    late = tile(sheet, 1, columns=2, width=160).mean()
    assert early == pytest.approx(255 * 0.5 / 4, abs=15)  # the frame at 0.5 s of the 4 s fade
    assert late == pytest.approx(255 * 3.0 / 4, abs=15)  # the frame at 3.0 s


def test_the_sheet_is_a_grid_with_a_label_under_every_thumbnail(ramp: Path, tmp_path: Path) -> None:
    clips = [Clip(source=ramp, start_s=s, end_s=s + 0.5) for s in (0.0, 1.0, 2.0, 3.0, 3.4)]
    out = contact_sheet(clips, tmp_path / "grid.png", columns=3, thumb_width=200)
    sheet = np.asarray(Image.open(out).convert("RGB")).astype(float)
    gap, height, label = 6, round(200 * 9 / 16), 22
    assert sheet.shape[1] == 3 * 200 + 4 * gap
    assert sheet.shape[0] == 2 * (height + label) + 3 * gap
    for index in range(5):
        row, col = divmod(index, 3)
        x, y = gap + col * (200 + gap), gap + row * (height + label + gap) + height
        strip = sheet[y : y + label, x : x + 200]
        assert (np.abs(strip - BACKGROUND).sum(axis=2) > 200).sum() > 30  # light text on the dark background
    empty = sheet[gap + height + label + gap :, gap + 2 * (200 + gap) :]  # the sixth cell: no moment
    assert np.abs(empty - BACKGROUND).max() < 2


def test_rotated_footage_is_shown_upright(portrait: Path, tmp_path: Path) -> None:
    out = contact_sheet([Clip(source=portrait, start_s=2.0, end_s=3.0)], tmp_path / "upright.png", thumb_width=320)
    area = tile(np.asarray(Image.open(out).convert("RGB")).astype(float), 0, columns=1, width=320)
    picture = np.abs(area - PANEL).sum(axis=2) > 30
    columns = np.flatnonzero(picture.any(axis=0))
    rows = np.flatnonzero(picture.any(axis=1))
    assert rows.size and columns.size
    assert np.ptp(rows) > 1.5 * np.ptp(columns)  # taller than wide, letterboxed in the 16:9 tile


def test_a_missing_source_is_named(tmp_path: Path) -> None:
    with pytest.raises(MediaNotFoundError, match=r"gone\.mp4"):
        contact_sheet([Clip(source=tmp_path / "gone.mp4", start_s=0, end_s=1)], tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


def test_the_curve_shades_the_moments_and_peaks_where_the_score_does(tmp_path: Path) -> None:
    times = np.arange(0, 600, 0.5)
    scores = 0.2 + 0.7 * np.exp(-(((times - 300) / 8) ** 2))
    out = excitement_curve(times, scores, [(290.0, 310.0), (100.0, 110.0)], tmp_path / "curve.png", cuts=[50, 450])
    image = np.asarray(Image.open(out).convert("RGB")).astype(int)
    assert image.shape == (360, 1600, 3)
    left, right = 48, 1600 - 16

    def x_of(t: float) -> int:
        return round(left + (right - left) * t / 600)

    middle_row = 200
    shaded, plain = image[middle_row, x_of(105)], image[middle_row, x_of(200)]
    assert shaded[2] > plain[2] + 20  # blue tint inside a chosen moment only
    yellow = (image[:, :, 0] > 200) & (image[:, :, 1] > 150) & (image[:, :, 2] < 80)
    top_row = np.flatnonzero(yellow.any(axis=1))[0]
    peak_x = np.flatnonzero(yellow[top_row]).mean()
    assert abs(peak_x - x_of(300)) < 8
    axis_labels = image[330:350, left:right]
    assert (axis_labels.sum(axis=2) > 300).sum() > 200  # time labels under the axis


def test_the_curve_refuses_mismatched_inputs_and_writes_atomically(tmp_path: Path) -> None:
    with pytest.raises(BadInputError):
        excitement_curve([0.0, 0.5], [0.1], [], tmp_path / "bad.png")
    target = tmp_path / "curve.png"
    target.write_bytes(b"old")
    excitement_curve([0.0, 0.5, 1.0], [0.1, 0.9, 0.2], [(0.4, 0.6)], target, width=400, height=120)
    assert Image.open(target).size == (400, 120)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["curve.png"]
