"""Video half of the analysis, without decoding the picture.

Motion and detail cost bits: the compressed size of each non-key packet is a cheap, honest
proxy for how much the picture changes, read by demuxing only. Scene cuts come from decoding
KEYFRAMES only (one every few seconds, fed to the decoder alone) into tiny histograms, then placing
each cut on the largest packet-size jump between the two keyframes that differ. The keyframes
skipped are decoded later where replays need them (`fill_keyframes`).
"""

from __future__ import annotations

import os
from array import array
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np
from av.video.frame import VideoFrame
from scipy.ndimage import median_filter

from mcp_highlight.engine.judge.audio_signals import ReadState
from mcp_highlight.engine.media import streams

REFRESH_S = 5.5
"""The one pass decodes a keyframe when this long has passed since the last one decoded: every third
keyframe of the usual 2 s GOP. Each gives colour histograms (changes of scene) and a thumbnail. Cuts
are read from packet sizes too (most of them: see CUT_OF_KEY). Keyframes were the picture reader's
whole cost: 11-12 ms each for a 1080p CABAC stream, so every keyframe of a 30-minute game took 10 s of
CPU. At 5.5 s instead of 3.5 s: 30 min 1080p CABAC 6.2-6.7 s -> 5.9-6.3 s of analysis; on the sweep's
120 broadcast runs (reads re-judged) 4 reels change, recall up in 3 of them, the summary the same."""
DENSE_S = 1.5
"""Where a replay is looked for, the keyframes skipped are decoded afterwards (`fill_keyframes`), down
to one every DENSE_S: every keyframe of a 2 s GOP, every other of a 1 s GOP."""
SPIKE = 2.5
"""A non-key frame this many times the frames before it may be a cut."""
CUT_OF_KEY = 0.3
"""...if it also costs this share of the next keyframe: after a hard cut, a P-frame is nearly all intra
blocks, so it costs about what a keyframe of the new scene costs. Against the file's median keyframe
(inflated by busy ad breaks and crowd shots) a cut into a plain close-up went unseen. On 30 generated
broadcasts (300 minutes), director's cuts found outside ad breaks: file's median 50 %, next keyframe
72 %, smaller of the two keyframes around 76 % (the rest are mostly the hidden edge of a wipe, no
change of picture); false cuts 25, 21 and 69 (the smaller keyframe may be a held picture's, a tenth of
a moving one's)."""
THUMB_ROWS = 72
THUMB = (18, 32)
"""Rows and columns of a keyframe's grey thumbnail: a picture's layout, not its detail."""
CHEAP_PROFILES = {"Baseline", "Constrained Baseline"}
"""H.264 profiles without CABAC: keyframes cheap enough to decode on one thread (`decode_threads`)."""
PLANAR_8BIT = {"yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p"}


@dataclass
class VideoWindows:
    """Per-window packet statistics plus what scene-cut detection needs."""

    frame_bytes: np.ndarray
    """Mean compressed size of the non-key frames in each window (NaN where none)."""
    key_times: np.ndarray
    key_hists: np.ndarray
    """One row per decoded keyframe: normalised Y (32 bins), U and V (16 bins each) histograms."""
    key_thumbs: np.ndarray
    """One row per decoded keyframe: its THUMB grey thumbnail, zero mean and unit length (a dot
    product of two rows is their correlation)."""
    packet_times: np.ndarray
    packet_sizes: np.ndarray
    packet_keys: np.ndarray
    median_key_bytes: float
    skipped: list[float] = field(default_factory=list)
    """Keyframe times the one pass did not decode (`fill_keyframes` decodes them where needed)."""
    path: Path | None = None
    origin_s: float = 0.0


def _plane(frame: VideoFrame, index: int, step: int) -> np.ndarray:
    plane = frame.planes[index]
    data = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)
    return data[::step, : plane.width : step]


def thumbnail_histogram(frame: VideoFrame) -> np.ndarray:
    """Y/U/V histograms of a keyframe, from a strided view of its planes (no scaling pass)."""
    if frame.format.name not in PLANAR_8BIT:
        frame = frame.reformat(width=128, height=THUMB_ROWS, format="yuv420p")
    step = max(1, frame.height // THUMB_ROWS)
    y = _plane(frame, 0, step)
    chroma_step = max(1, step // 2)
    u = _plane(frame, 1, chroma_step)
    v = _plane(frame, 2, chroma_step)
    hy = np.bincount((y >> 3).ravel(), minlength=32) / y.size
    hu = np.bincount((u >> 4).ravel(), minlength=16) / u.size
    hv = np.bincount((v >> 4).ravel(), minlength=16) / v.size
    return np.concatenate([hy, hu, hv]).astype(np.float32)


def grey_thumbnail(frame: VideoFrame) -> np.ndarray:
    """The keyframe's luma averaged into THUMB blocks, zero mean, unit length (flat pictures stay 0)."""
    if frame.format.name not in PLANAR_8BIT:
        frame = frame.reformat(width=128, height=THUMB_ROWS, format="yuv420p")
    rows, cols = THUMB
    y = _plane(frame, 0, max(1, frame.height // (rows * 4)))
    h, w = y.shape[0] // rows * rows, y.shape[1] // cols * cols
    small = y[:h, :w].reshape(rows, h // rows, cols, w // cols).mean(axis=(1, 3))
    small -= small.mean()
    return (small / max(float(np.linalg.norm(small)), 1e-6)).ravel().astype(np.float32)


class _Packets:
    """Every packet's time, size and key flag, and the mean inter-frame size per window, in batches."""

    def __init__(self, n_windows: int, window_s: float, state: ReadState) -> None:
        self.n, self.window_s, self.state = n_windows, window_s, state
        self.sums, self.counts = np.zeros(n_windows), np.zeros(n_windows)
        self.times, self.sizes, self.keys = array("d"), array("i"), array("b")
        self.batch_t: list[float] = []
        self.batch_s: list[int] = []
        self.batch_k: list[bool] = []

    def add(self, t: float, size: int, key: bool) -> bool:
        """Note one packet; True when a full batch was just folded in (a moment to check for a stop)."""
        self.batch_t.append(t)
        self.batch_s.append(size)
        self.batch_k.append(key)
        if len(self.batch_t) < 512:
            return False
        self.flush()
        return True

    def flush(self) -> None:
        if not self.batch_t:
            return
        t = np.asarray(self.batch_t)
        s = np.asarray(self.batch_s, dtype=np.float64)
        k = np.asarray(self.batch_k, dtype=bool)
        self.times.extend(self.batch_t)
        self.sizes.extend(self.batch_s)
        self.keys.extend(self.batch_k)
        idx = np.floor(t / self.window_s).astype(np.int64)
        ok = (~k) & (idx >= 0) & (idx < self.n)
        np.add.at(self.sums, idx[ok], s[ok])
        np.add.at(self.counts, idx[ok], 1)
        self.batch_t.clear()
        self.batch_s.clear()
        self.batch_k.clear()
        self.state.position_s = float(t.max())

    def windows(self, key_times: list[float], key_hists: list[np.ndarray], key_thumbs: list[np.ndarray]) -> VideoWindows:
        packet_keys = np.frombuffer(self.keys, dtype=np.int8).astype(bool) if len(self.keys) else np.zeros(0, bool)
        packet_sizes = np.frombuffer(self.sizes, dtype=np.int32) if len(self.sizes) else np.zeros(0, np.int32)
        times = np.frombuffer(self.times, dtype=np.float64) if len(self.times) else np.zeros(0)
        sums, counts = self.sums, self.counts
        if packet_keys.size and packet_keys.mean() > 0.5:
            # Intra-only codec (MJPEG, ProRes…): every frame is a keyframe; their sizes still track detail.
            idx = np.floor(times / self.window_s).astype(np.int64)
            ok = (idx >= 0) & (idx < self.n)
            sums = np.bincount(idx[ok], packet_sizes[ok].astype(np.float64), self.n)
            counts = np.bincount(idx[ok], None, self.n)
        with np.errstate(invalid="ignore", divide="ignore"):
            frame_bytes = sums / np.where(counts > 0, counts, np.nan)
        order = np.argsort(key_times)
        key_sizes = packet_sizes[packet_keys]
        return VideoWindows(
            frame_bytes=frame_bytes,
            key_times=np.asarray(key_times)[order],
            key_hists=np.asarray(key_hists).reshape(-1, 64)[order],
            key_thumbs=np.asarray(key_thumbs, dtype=np.float32).reshape(-1, THUMB[0] * THUMB[1])[order],
            packet_times=times,
            packet_sizes=packet_sizes,
            packet_keys=packet_keys,
            median_key_bytes=float(np.median(key_sizes)) if key_sizes.size else 0.0,
        )


def decode_threads(codec: str, profile: str | None) -> int:
    """Threads for decoding keyframes. The sound's reader is one thread; the picture's is the slower one
    when its keyframes are dear to decode, and then gets every core. H.264 in its Baseline profiles
    (CAVLC, what the cheapest encoders write) decodes a 1080p keyframe in about 5 ms: one thread keeps
    up with the sound, and a second took the sound's core (30 min 1080p on 2 cores: 5.7-5.9 s with one,
    6.3-6.6 s with two). CABAC and deblocking (Main and High profiles: cameras, phones, broadcasters)
    cost 11-12 ms a keyframe: 13-14 s with one thread, 9.8-10.1 s with two (`scripts/bench
    --analysis-speed`, both encodings)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    cheap = codec == "h264" and profile in CHEAP_PROFILES
    return max(1, cores - 1) if cheap else cores


def _keyframe_stream(container: av.container.InputContainer) -> tuple[av.video.stream.VideoStream, int, int]:
    """The main picture, set to decode keyframes only, and its time base as integers: times computed as
    `pts * num / den` are correctly rounded as float(Fraction) is, without a Fraction per packet."""
    stream = streams.main_video(container) or container.streams.video[0]
    stream.codec_context.thread_count = decode_threads(stream.codec_context.name, stream.codec_context.profile)
    if stream.codec_context.thread_count > 1:
        stream.thread_type = "AUTO"
    stream.codec_context.skip_frame = "NONKEY"
    streams.read_only(container, stream)
    return stream, stream.time_base.numerator, stream.time_base.denominator


def read_video(path: Path, n_windows: int, window_s: float, origin_s: float, state: ReadState) -> VideoWindows:
    """Demux every video packet (sizes) and decode keyframes only (histograms); stops on `state.stop`."""
    packets = _Packets(n_windows, window_s, state)
    key_times: list[float] = []
    key_hists: list[np.ndarray] = []
    key_thumbs: list[np.ndarray] = []
    last_decoded = last_dense = -1e9
    skipped: list[float] = []
    with av.open(str(path), metadata_errors="ignore") as container:
        stream, num, den = _keyframe_stream(container)

        def take(frames: list[VideoFrame]) -> None:
            for frame in frames:
                if frame.pts is not None:
                    key_times.append(frame.pts * num / den - origin_s)
                    key_hists.append(thumbnail_histogram(frame))
                    key_thumbs.append(grey_thumbnail(frame))

        # Keyframes are the costly part (non-key frames are never decoded): one every REFRESH_S at most,
        # for the picture's colours (changes of scene, such as an ad) and thumbnails (replays).
        try:
            for packet in container.demux(stream):
                stamp = packet.pts if packet.pts is not None else packet.dts
                if packet.size == 0 or stamp is None:
                    continue
                t = stamp * num / den - origin_s
                flushed = packets.add(t, packet.size, packet.is_keyframe)
                if packet.is_keyframe and t - last_decoded >= REFRESH_S:
                    last_decoded = last_dense = t
                    try:
                        take(stream.decode(packet))
                    except streams.DAMAGED_DATA_ERRORS:
                        state.warnings.append(f"A damaged keyframe at {t:.1f} s was skipped.")
                elif packet.is_keyframe and t - last_dense >= DENSE_S:
                    last_dense = t
                    skipped.append(t)
                if flushed and state.stop.is_set():
                    break
            if not state.stop.is_set():
                take(stream.decode(None))
        except av.error.FFmpegError as exc:
            state.warnings.append(f"The picture could only be read up to {state.position_s:.1f} s ({exc}).")
        packets.flush()
    video = packets.windows(key_times, key_hists, key_thumbs)
    video.skipped, video.path, video.origin_s = skipped, path, origin_s
    return video


SEEK_GAP_S = 10.0
"""Keyframes wanted further apart than this are reached by a seek, nearer ones by reading on."""


def _seek_groups(times: list[float]) -> list[list[float]]:
    groups: list[list[float]] = []
    for t in sorted(times):
        if groups and t - groups[-1][-1] <= SEEK_GAP_S:
            groups[-1].append(t)
        else:
            groups.append([t])
    return groups


def fill_keyframes(video: VideoWindows, spans: list[tuple[float, float]]) -> None:
    """Decode the keyframes within `spans` that the one pass skipped and add them to `video`: one
    opening of the file, a seek per group of them, keyframes only, each frame reduced to its
    histogram and thumbnail at once (a 1080p frame is 3 MB). What cannot be read is left out
    (fewer thumbnails, no error)."""
    wanted = sorted({t for t in video.skipped if any(a <= t <= b for a, b in spans)})
    if not wanted or video.path is None:
        return
    gone = set(wanted)
    video.skipped = [t for t in video.skipped if t not in gone]
    want = set(np.round(wanted, 3).tolist())
    times: list[float] = []
    hists: list[np.ndarray] = []
    thumbs: list[np.ndarray] = []

    def take(frames: list[VideoFrame], num: int, den: int) -> None:
        for frame in frames:
            t = None if frame.pts is None else frame.pts * num / den - video.origin_s  # as the one pass
            if t is not None and round(t, 3) in want:
                times.append(t)
                hists.append(thumbnail_histogram(frame))
                thumbs.append(grey_thumbnail(frame))

    try:
        with av.open(str(video.path), metadata_errors="ignore") as container:
            stream, num, den = _keyframe_stream(container)
            for group in _seek_groups(wanted):
                container.seek(int((group[0] + video.origin_s - 0.5) * den / num), stream=stream, backward=True)
                for packet in container.demux(stream):
                    stamp = packet.pts if packet.pts is not None else packet.dts
                    if packet.size == 0 or stamp is None:
                        continue
                    t = stamp * num / den - video.origin_s
                    if t > group[-1] + 0.5:
                        break
                    if packet.is_keyframe and round(t, 3) in want:
                        try:
                            take(stream.decode(packet), num, den)
                        except streams.DAMAGED_DATA_ERRORS:
                            continue
                take(stream.decode(None), num, den)
    except av.error.FFmpegError:
        pass  # what was decoded before the error still counts
    if not times:
        return
    all_times = np.concatenate([video.key_times, times])
    order = np.argsort(all_times, kind="stable")
    rows = THUMB[0] * THUMB[1]
    video.key_times = all_times[order]
    video.key_hists = np.concatenate([video.key_hists.reshape(-1, 64), np.asarray(hists).reshape(-1, 64)])[order]
    new_thumbs = np.asarray(thumbs, dtype=np.float32).reshape(-1, rows)
    video.key_thumbs = np.concatenate([video.key_thumbs.reshape(-1, rows), new_thumbs])[order]


def packet_cuts(video: VideoWindows) -> list[float]:
    """Cuts read from packet sizes alone: a lone frame far bigger than the frames before and after
    it and nearly as big as the next keyframe (the new scene's), or a keyframe the encoder placed
    before its regular time."""
    t = video.packet_times
    if t.size < 20 or not video.packet_keys.any() or video.packet_keys.mean() > 0.5:
        return []
    order = np.argsort(t, kind="stable")
    t, size, key = t[order], video.packet_sizes[order].astype(np.float64), video.packet_keys[order]
    idx = np.arange(size.size)
    plain = np.interp(idx, idx[~key], size[~key])
    before = median_filter(plain, size=15, origin=7, mode="nearest")
    after = np.r_[plain[1:], plain[-1:]]
    keys = np.nonzero(key)[0]
    next_key = size[keys[np.minimum(np.searchsorted(keys, idx), keys.size - 1)]]
    lone = ~key & (size > SPIKE * before) & (size > 1.3 * after) & (size > CUT_OF_KEY * next_key)
    cuts = set(np.round(t[lone], 3).tolist())
    key_t = t[key]
    gaps = np.diff(key_t)
    if gaps.size >= 3:
        regular = float(np.median(gaps))
        cuts |= set(np.round(key_t[1:][gaps < 0.75 * regular], 3).tolist())
    return sorted(cuts)


MONTAGE_CUTS_PER_S = 0.25
"""More cuts than one per 4 s, and more than two, is a montage (an ad break, a trailer, a highlights
package), not live play nor a single replay: a director follows play on one camera for many seconds."""


def montage(cuts: np.ndarray, a: float, b: float) -> bool:
    """Whether the picture from `a` to `b` seconds (cuts at the very ends not counted) is a montage."""
    return int(np.sum((cuts > a) & (cuts < b))) > max(2.0, MONTAGE_CUTS_PER_S * (b - a))


def scene_cuts(video: VideoWindows, *, threshold: float = 0.35) -> list[float]:
    """Cuts from packet sizes, and from decoded keyframes whose pictures differ (merged within 0.5 s)."""
    found = sorted([*packet_cuts(video), *histogram_cuts(video, threshold=threshold)])
    merged: list[float] = []
    for c in found:
        if not merged or c - merged[-1] > 0.5:
            merged.append(c)
    return merged


def histogram_cuts(video: VideoWindows, *, threshold: float = 0.35) -> list[float]:
    """Times where the picture cuts: consecutive keyframes whose histograms differ a lot,
    placed on the biggest packet-size jump between them (a cut makes one P-frame huge)."""
    if len(video.key_times) < 2:
        return []
    hists = video.key_hists
    # Mean L1 distance of the Y, U and V histograms: 0 (same) .. 1 (disjoint).
    dist = (
        np.abs(np.diff(hists[:, :32], axis=0)).sum(axis=1)
        + np.abs(np.diff(hists[:, 32:48], axis=0)).sum(axis=1)
        + np.abs(np.diff(hists[:, 48:], axis=0)).sum(axis=1)
    ) / 6.0
    cuts: list[float] = []
    t, s, k = video.packet_times, video.packet_sizes, video.packet_keys
    for i in np.nonzero(dist > threshold)[0]:
        a, b = video.key_times[i], video.key_times[i + 1]
        inside = (t > a) & (t <= b) & ~k
        cut = float(b)
        if inside.sum() >= 3:
            sizes = s[inside].astype(np.float64)
            j = int(np.argmax(sizes))
            if sizes[j] > 3 * np.median(sizes):
                cut = float(t[inside][j])
        cuts.append(round(cut, 3))
    return cuts
