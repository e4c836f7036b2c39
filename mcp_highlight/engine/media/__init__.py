"""Stage 1, media: a file in, its facts out. Probing (refusing what we cannot use, with the reason), media kinds by
content, which streams are picture and sound, the ffmpeg binary, and scratch folders for work in progress."""
