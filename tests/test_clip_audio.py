"""Clip sound cut in-process: right length, right moment, any codec, layout or sample format."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from media_files import MEDIA_CACHE, cached_ffmpeg

from mcp_highlight.engine.clip_audio import PAD_S, extract

# silence with a 1 kHz beep from 1.5 s to 1.6 s
BEEP = "aevalsrc='if(between(t,1.5,1.6),0.5*sin(2*PI*1000*t),0)':s={rate}:d=4"


@pytest.mark.parametrize(
    ("name", "rate", "codec_args"),
    [
        ("beep-aac-stereo.mp4", 48000, ["-ac", "2", "-c:a", "aac"]),
        ("beep-pcm16-mono.mkv", 44100, ["-ac", "1", "-c:a", "pcm_s16le"]),
        ("beep-mp3-stereo.avi", 44100, ["-ac", "2", "-c:a", "libmp3lame"]),
    ],
)
def test_the_cut_starts_on_time_and_lasts_as_asked(tmp_path: Path, name: str, rate: int, codec_args: list[str]) -> None:
    source = cached_ffmpeg(
        MEDIA_CACHE / f"clip-audio-v1-{name}",
        "-f", "lavfi", "-i", "testsrc2=s=160x90:r=25:d=4", "-f", "lavfi", "-i", BEEP.format(rate=rate),
        "-c:v", "libx264", "-preset", "ultrafast", *codec_args, "-shortest",
    )  # fmt: skip
    with av.open(str(source)) as container:
        raw = extract(container, 1.0, 1.0, tmp_path / "cut.f32")
    samples = np.fromfile(raw.path, dtype=np.float32).reshape(-1, 2)
    assert raw.sample_rate == 48000  # every source is resampled to the reel's rate
    assert len(samples) == round((1.0 + PAD_S) * 48000)
    loud = np.flatnonzero(np.abs(samples[:, 0]) > 0.1)
    assert loud.size, "the beep is missing"
    assert loud[0] / 48000 == pytest.approx(0.5, abs=0.03)  # 1.5 s in the source is 0.5 s into the cut
    assert np.allclose(samples[:, 0], samples[:, 1], atol=1e-3)  # mono comes out on both sides
