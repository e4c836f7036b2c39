"""Stage 2, judge: a probed file in, an `Analysis` out: one streaming pass of sound and picture signals, fused into
an excitement score per window, moments (onset, peak, fade) with the reasons a person would give, replays found.
Cached per file by content hash."""
