"""Issue 16, network rows: what a URL download may cost, and where it may connect.

Row 2: a compressed answer is refused, so the size limit counts the bytes that reach memory. Row 3:
the host is resolved once and the connection goes to the address that was checked (DNS rebinding).
Row 4: IPv6 forms that wrap an IPv4 address are judged by that address. Row 5: one deadline covers
the headers too. Row 18: an address where nothing answers is a bad input (exit 2) and the message
keeps the port. Servers listen on 127.0.0.1 only; name resolution is a stub, never real DNS.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from footage.samples import synth_clip
from http_harness import free_port, http_client, media_host, serve_http
from mcp_harness import MEDIA_CACHE, text_of

from mcp_highlight.backends.local import intake
from mcp_highlight.core.config import Settings
from mcp_highlight.core.errors import SourceUnreachableError
from mcp_highlight.core.progress import no_progress
from mcp_highlight.core.source_policy import SourcePolicy, SourceRefusedError, is_public, shown_url

pytestmark = pytest.mark.anyio
_real_getaddrinfo = socket.getaddrinfo


@pytest.fixture(scope="module")
def clip() -> Path:
    path = MEDIA_CACHE / "guard-clip-320x180-6s.mp4"
    if not path.exists():
        synth_clip(path, duration_s=6, width=320, height=180)
    return path


def fake_dns(monkeypatch: pytest.MonkeyPatch, name: str, answers: Callable[[int], list[str]]) -> list[int]:
    """Resolve `name` to `answers(n)` on the n-th lookup (from 0); numeric and other hosts resolve as usual."""
    calls: list[int] = []

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host != name:
            return _real_getaddrinfo(host, port, *args, **kwargs)
        calls.append(len(calls))
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port or 80)))
            for address in answers(len(calls) - 1)
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return calls


def settings_for(tmp_path: Path, **extra: object) -> Settings:
    return Settings(home=tmp_path / "home", media_roots=str(tmp_path), **extra)


# row 2 ----------------------------------------------------------------------------------------
async def test_a_compressed_answer_is_refused_over_http_and_nothing_is_unpacked(tmp_path: Path, clip: Path) -> None:
    settings = settings_for(tmp_path, allow_networks="127.0.0.1/32", max_bytes=20_000_000)
    with media_host(clip) as (media, handler), serve_http(settings) as base:
        async with http_client(base) as client:
            result = await client.call_tool("upload_video", {"path": f"{media}/gzip-bomb.mp4"})
    assert result.is_error and "compressed (gzip, gzip)" in text_of(result), text_of(result)
    assert handler.headers_seen[-1].get("accept-encoding") == "identity"
    assert [p.name for p in (settings.home / "media").rglob("*") if p.is_file()] == []


# row 3 ----------------------------------------------------------------------------------------
async def test_the_connection_goes_to_the_address_that_was_checked_not_to_a_second_answer(
    tmp_path: Path, clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first lookup answers 127.0.0.2 (allowed here, standing in for a public address), later ones the
    forbidden 127.0.0.1 where the media really is: nothing may be fetched from 127.0.0.1."""
    lookups = fake_dns(monkeypatch, "media.test", lambda n: ["127.0.0.2"] if n == 0 else ["127.0.0.1"])
    settings = settings_for(tmp_path, allow_networks="127.0.0.2/32")
    with media_host(clip) as (media, handler), serve_http(settings) as base:
        port = media.rsplit(":", 1)[1]
        async with http_client(base) as client:
            result = await client.call_tool("upload_video", {"path": f"http://media.test:{port}/clip.mp4"})
    assert result.is_error, text_of(result)
    assert handler.seen == [] and len(lookups) == 1


def test_the_pinned_connection_keeps_the_host_name_in_the_request(
    tmp_path: Path, clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dns(monkeypatch, "media.test", lambda n: ["127.0.0.1"])
    policy = SourcePolicy(remote=True, allow_networks=(ipaddress.ip_network("127.0.0.1/32"),))
    with media_host(clip) as (media, handler):
        port = media.rsplit(":", 1)[1]
        got, _reused = intake.download(f"http://media.test:{port}/clip.mp4", tmp_path, 10**8, no_progress, policy=policy)
    assert got.read_bytes() == clip.read_bytes()
    assert handler.seen == [("/clip.mp4", f"media.test:{port}")]


def test_a_name_answering_a_public_and_a_loopback_address_is_refused_before_connecting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_dns(monkeypatch, "media.test", lambda n: ["93.184.216.34", "127.0.0.1"])
    with pytest.raises(SourceRefusedError):
        SourcePolicy(remote=True).resolve_url("http://media.test/clip.mp4")


# row 4 ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::7f00:1",
        "64:ff9b:1::a00:1",
        "2002:7f00:1::",
        "::127.0.0.1",
        "::ffff:169.254.169.254",
        "2002:c0a8:101::1",
        "64:ff9b::a9fe:a9fe",
    ],
)
def test_ipv6_forms_wrapping_a_private_ipv4_address_are_judged_by_it(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))
    with pytest.raises(SourceRefusedError):
        SourcePolicy(remote=True).check_url(f"http://[{address}]:8080/x.mp4")


def test_ipv6_forms_wrapping_a_public_ipv4_address_stay_public() -> None:
    for address in ("64:ff9b::5db8:d822", "2002:5db8:d822::1", "2606:4700::1111"):
        assert is_public(ipaddress.ip_address(address)), address


# row 5 ----------------------------------------------------------------------------------------
def test_headers_trickled_a_byte_at_a_time_stop_at_the_total_deadline(tmp_path: Path, clip: Path) -> None:
    policy = SourcePolicy(remote=True, allow_networks=(ipaddress.ip_network("127.0.0.1/32"),))
    with media_host(clip) as (media, handler):
        with pytest.raises(SourceUnreachableError, match=r"longer than the 1\.5 s limit"):
            intake.download(f"{media}/slow-headers.mp4", tmp_path, 10**8, no_progress, policy=policy, deadline_s=1.5)
        sent = len(handler.slow_headers_sent)
    assert sent < 100, f"the headers kept coming after the deadline ({sent} bytes)"
    assert [p.name for p in tmp_path.iterdir()] == []


# row 18 ---------------------------------------------------------------------------------------
def test_a_url_where_nothing_listens_exits_2_naming_the_url_with_its_port(tmp_path: Path) -> None:
    port = free_port()  # bound and released: nothing listens there
    url = f"http://127.0.0.1:{port}/game.mp4"
    env = {**os.environ, "MCP_HIGHLIGHT_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [sys.executable, "-m", "mcp_highlight", "reel", url, "-o", str(tmp_path / "r.mp4")],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert f"127.0.0.1:{port}/game.mp4" in done.stderr and "ConnectError" not in done.stderr, done.stderr


def test_messages_keep_the_port_and_drop_the_query() -> None:
    assert shown_url("https://user:pw@cdn.test:8443/a/game.mp4?sig=secret") == "'https://cdn.test:8443/a/game.mp4'"
    assert shown_url("http://[::1]:9/x.mp4") == "'http://[::1]:9/x.mp4'"


# row 12 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["%00evil.mp4", "x" * 300 + ".mp4", "a%0Ab%2F..%2F.mp4", "%2e%2e"])
def test_a_url_whose_name_has_nul_newlines_or_300_characters_is_stored_under_a_safe_name(
    tmp_path: Path, clip: Path, name: str
) -> None:
    with media_host(clip) as (media, _handler):
        got, _reused = intake.download(f"{media}/named/{name}", tmp_path, 10**8, no_progress)
    assert got.parent == tmp_path and got.read_bytes() == clip.read_bytes()
    assert len(got.name.encode()) <= 160 and not set(got.name) & {"\0", "\n", "/"} and not got.name.startswith(".")
