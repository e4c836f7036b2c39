"""The ways generated footage can differ from the generator's first draft: one axis each.

A signal that only separates our generator's classes fails on real footage; each axis below
moves one property towards real broadcasts (or away from what the engine was tuned on) so the
judgement benchmark can report every axis on its own. The defaults are the original generator.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

Commentary = Literal["syllabic", "legato", "espeak"]
Crowd = Literal["synthetic", "real"]
Music = Literal["tones", "vibrato", "real"]
ReplayGraphic = Literal["noise", "flat", "slide", "none"]


class PictureVariant(BaseModel):
    """What changes the picture (and the running order), so it is drawn once per seed."""

    replay_graphic: ReplayGraphic = "noise"
    """The wipe around a replay: fresh noise every frame, flat colour bands, one graphic sliding
    across as a piece, or a plain cut."""
    early_replay: bool = False
    """Replays start while the crowd still cheers (the director cuts away 1–3 s after the peak)."""


class SoundVariant(BaseModel):
    """What changes only the sound track: many variants share one encoded picture."""

    commentary: Commentary = "syllabic"
    """Our formant voice in syllables that end in silence; the same voice sustained (legato); or
    espeak-ng, a real speech synthesiser, in one of several voices and rates."""
    crowd: Crowd = "synthetic"
    """Filtered-noise crowd and tone whistles, or real recordings (murmur, cheers, chants, whistles)."""
    music: Music = "tones"
    """Steady harmonic chords; chords with vibrato changing every two beats; or recorded music."""
    chants_after_goals: bool = False
    """The crowd chants once play restarts after a goal (a chant right next to a highlight)."""
    pa_under_crowd: bool = False
    """The stadium PA plays music under a crowd that goes on as loud as ever."""
    shouts: bool = False
    """The commentator shouts now and then over calm play with no crowd reaction at all."""


AXES: dict[str, tuple[object, ...]] = {
    "replay_graphic": ("noise", "flat", "slide", "none"),
    "early_replay": (False, True),
    "commentary": ("syllabic", "legato", "espeak"),
    "crowd": ("synthetic", "real"),
    "music": ("tones", "vibrato", "real"),
    "chants_after_goals": (False, True),
    "pa_under_crowd": (False, True),
    "shouts": (False, True),
}
PICTURE_AXES = tuple(PictureVariant.model_fields)
SOUND_AXES = tuple(SoundVariant.model_fields)
