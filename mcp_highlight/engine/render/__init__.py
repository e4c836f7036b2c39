"""Stage 4, render: a `RenderSpec` (clips, shape, overlays, music) in, one valid MP4 out. Checks before work, then
either copies H.264 packets cut on keyframes or re-encodes; the follow crop (`action_track`, `reframe`) lives here."""
