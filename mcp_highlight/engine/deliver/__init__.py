"""Stage 5, deliver: a rendered reel in, what comes with it out: chapters, cover, clip pack, editor timelines
(OTIO, FCP XML, EDL) and preview pictures, all measured from the reel as rendered."""
