"""Clip sound cut in-process: right length, right moment, any codec, layout or sample format."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from media_files import MEDIA_CACHE, cached_ffmpeg

from mcp_highlight.engine.render.clip_audio import PAD_S, extract

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


def test_surround_keeps_its_centre_channel_and_the_default_track_is_the_one_used(tmp_path: Path) -> None:
    beep = BEEP.format(rate=48000)
    centre_only = cached_ffmpeg(
        MEDIA_CACHE / "clip-audio-v1-centre-5.1.mkv",
        "-f", "lavfi", "-i", beep, "-af", "pan=5.1|FC=c0", "-c:a", "ac3",
    )  # fmt: skip
    with av.open(str(centre_only)) as container:
        raw = extract(container, 1.0, 1.0, tmp_path / "centre.f32")
    samples = np.fromfile(raw.path, dtype=np.float32).reshape(-1, 2)
    assert np.abs(samples).max(axis=0).min() > 0.2  # commentary (centre) reaches both speakers

    two = cached_ffmpeg(
        MEDIA_CACHE / "clip-audio-v1-two-tracks.mkv",
        "-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo:d=4", "-f", "lavfi", "-i", beep,
        "-map", "0:a", "-map", "1:a", "-c:a", "flac", "-disposition:a:0", "0", "-disposition:a:1", "default",
    )  # fmt: skip
    with av.open(str(two)) as container:
        raw = extract(container, 1.0, 1.0, tmp_path / "two.f32")
    samples = np.fromfile(raw.path, dtype=np.float32).reshape(-1, 2)
    assert np.abs(samples).max() > 0.2  # the beep track (marked default), not the silent first one


def test_a_damaged_packet_becomes_silence_and_is_reported_with_its_time(tmp_path: Path) -> None:
    tone = cached_ffmpeg(
        MEDIA_CACHE / "clip-audio-v1-tone.ac3", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:d=4"
    )
    data = bytearray(tone.read_bytes())
    frames = [i for i in range(len(data) - 1) if data[i : i + 2] == b"\x0b\x77"]
    broken = next(i for i in frames if i > len(data) // 2)  # a frame near 2 s
    data[broken : broken + 32] = bytes(32)
    damaged = tmp_path / "damaged.ac3"
    damaged.write_bytes(bytes(data))
    with av.open(str(damaged)) as container:
        raw = extract(container, 1.0, 2.0, tmp_path / "cut.f32")
    samples = np.fromfile(raw.path, dtype=np.float32).reshape(-1, 2)
    assert len(samples) == round((2.0 + PAD_S) * 48000)  # the length is kept
    assert len(raw.damaged_at_s) == 1 and raw.damaged_at_s[0] == pytest.approx(2.0, abs=0.1)
    quiet = np.abs(samples[:, 0]).reshape(-1, 480).max(axis=1) < 0.01  # 10 ms blocks of silence
    assert 1 <= quiet.sum() <= 6  # about one AC-3 frame (32 ms) of silence where the packet was
