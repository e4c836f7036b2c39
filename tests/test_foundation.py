"""Pieces every front relies on: durations, the draft summary, redaction."""

import io
import sys

import pytest

from mcp_highlight.core.durations import format_seconds, parse_duration
from mcp_highlight.core.errors import BadInputError
from mcp_highlight.core.logs import configure_logging, get_logger, redact_text, register_secret
from mcp_highlight.draft.model import Draft, Segment, Track, summarize


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("3m", 180),
        ("90s", 90),
        ("90", 90),
        ("1:30", 90),
        ("1h2m", 3720),
        ("2.5 min", 150),
        ("30秒", 30),
        ("3 minutes", 180),
        ("1:00:00", 3600),
    ],
)
def test_durations_people_type_are_read_as_seconds(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "0", "-5", "3 parsecs", "1:xx"])
def test_unreadable_durations_are_refused_with_a_hint(text: str) -> None:
    with pytest.raises(BadInputError) as err:
        parse_duration(text)
    assert "duration" in str(err.value).lower() or "more than zero" in str(err.value)


def test_format_seconds_is_short_for_people() -> None:
    assert format_seconds(4.5) == "4.5s"
    assert format_seconds(75.2) == "1:15"
    assert format_seconds(3725) == "1:02:05"


def test_summary_matches_the_shared_one_line_format() -> None:
    draft = Draft(
        t=[
            Track(tt=0, m={"name": "city timelapse"}, sg=[Segment(d=10000)]),
            Track(tt=1, sg=[Segment(d=10000, m={"name": "Lo-fi", "volume": 0.35})]),
            Track(tt=7, sg=[Segment(d=3000, m={"text": "Urban Dreams"})]),
        ]
    )
    assert summarize(draft) == (
        'Timeline (3 tracks): 1. Video: city timelapse (0-10s) 2. BGM: Lo-fi (0-10s, 35%) 3. Title: "Urban Dreams" (0-3s)'
    )


def test_drafts_keep_unknown_keys_on_round_trip() -> None:
    raw = {"t": [{"tt": 0, "sg": [{"d": 500, "m": {}, "xk": {"deep": 1}}], "zz": 3}], "v": 9}
    dumped = Draft.model_validate(raw).dump()
    assert dumped["v"] == 9
    assert dumped["t"][0]["zz"] == 3
    assert dumped["t"][0]["sg"][0]["xk"] == {"deep": 1}
    assert Draft.model_validate(dumped).dump() == dumped


def test_typed_segments_read_the_wire_keys_and_write_them_back_unchanged() -> None:
    raw = {
        "t": [{"tt": 0, "m": {"name": "game"}, "sg": [{"d": 4000, "m": {"src": "med_1", "in": 61500, "out": 65500, "score": 0.8, "vendor": [1]}}]}],
        "m": {"aspect": "9:16", "dropped": [["med_1", 1000, 5000]], "custom": True},
    }
    draft = Draft.model_validate(raw)
    seg = draft.t[0].sg[0]
    assert (seg.m.src, seg.m.in_s, seg.m.out_s, seg.m.score) == ("med_1", 61.5, 65.5, 0.8)
    assert draft.m.aspect == "9:16" and draft.m.dropped == [("med_1", 1000, 5000)]
    assert draft.dump() == raw  # same keys, ints stay ints, unknown keys kept
    assert Draft.model_validate(draft.dump()).fingerprint() == draft.fingerprint()


def test_exportable_needs_a_track_with_segments() -> None:
    assert not Draft().exportable
    assert not Draft(t=[Track(tt=0)]).exportable
    assert Draft(t=[Track(tt=7, sg=[Segment(d=1)])]).exportable


def test_secrets_are_redacted_from_text() -> None:
    register_secret("s3cr3t-value-123")
    text = redact_text("Authorization: Bearer abc.def token nmv_usr_XYZ and s3cr3t-value-123")
    assert "abc.def" not in text and "nmv_usr_XYZ" not in text and "s3cr3t-value-123" not in text


def test_log_lines_go_to_stderr_as_it_is_now_not_a_stream_closed_since(monkeypatch: pytest.MonkeyPatch) -> None:
    first = io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    configure_logging("info", json=True)
    first.close()  # e.g. a test's captured stream, or a front that swapped stderr
    now = io.StringIO()
    monkeypatch.setattr(sys, "stderr", now)
    get_logger("t").warning("still_heard", n=1)
    assert '"event": "still_heard"' in now.getvalue()
