"""Settings read from the environment once, passed down explicitly (no globals in the engine)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import BaseModel, Field, PrivateAttr, SecretStr, ValidationError, field_validator

from mcp_highlight.core.durations import parse_duration
from mcp_highlight.core.errors import BadInputError
from mcp_highlight.core.limits import MediaLimits
from mcp_highlight.core.source_policy import SourcePolicy, parse_networks, parse_roots

MAX_UPLOAD_BYTES = 500 * 1024 * 1024


ENV_NAMES = {
    "home": "MCP_HIGHLIGHT_HOME",
    "backend": "MCP_HIGHLIGHT_BACKEND",
    "output_dir": "MCP_HIGHLIGHT_OUTPUT_DIR",
    "max_bytes": "MCP_HIGHLIGHT_MAX_BYTES",
    "http_token": "MCP_HIGHLIGHT_TOKEN",
    "nemo_api_url": "NEMO_API_URL",
    "nemo_web_url": "NEMO_WEB_URL",
    "nemo_token": "NEMO_TOKEN",
    "nemo_client_id": "NEMO_CLIENT_ID",
    "skill_source": "SKILL_SOURCE",
    "log_level": "MCP_HIGHLIGHT_LOG_LEVEL",
    "media_roots": "MCP_HIGHLIGHT_MEDIA_ROOTS",
    "allow_networks": "MCP_HIGHLIGHT_ALLOW_NETWORKS",
    "download_timeout_s": "MCP_HIGHLIGHT_DOWNLOAD_TIMEOUT",
    "database_url": "MCP_HIGHLIGHT_DATABASE_URL",
    "state_keys": "MCP_HIGHLIGHT_STATE_KEYS",
    "max_duration_s": "MCP_HIGHLIGHT_MAX_DURATION",
    "max_frame_side": "MCP_HIGHLIGHT_MAX_FRAME_SIDE",
    "max_pixels": "MCP_HIGHLIGHT_MAX_PIXELS",
    "max_streams": "MCP_HIGHLIGHT_MAX_STREAMS",
    "upload_quota_bytes": "MCP_HIGHLIGHT_UPLOAD_QUOTA",
    "max_renders": "MCP_HIGHLIGHT_MAX_RENDERS",
    "confirm_credits": "MCP_HIGHLIGHT_CONFIRM_CREDITS",
}
"""Every setting's environment variable: the one list that server.json, manifest.json and the README follow."""

_UNFILLED = re.compile(r"^\$\{[^}]*\}$")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)\s*$", re.IGNORECASE)
_UNIT = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}


def _env(name: str, default: str | None = None) -> str | None:
    """The variable's value; empty, or a `${user_config.x}` placeholder the client left unfilled, is unset."""
    value = os.environ.get(name)
    return default if value is None or value == "" or _UNFILLED.match(value) else value


class Settings(BaseModel):
    """Everything configurable; see README "Configuration"."""

    home: Path = Field(description="Data directory: sessions database, analysis cache, renders.")
    backend: Literal["local", "cloud"] = "local"
    output_dir: Path | None = Field(default=None, description="Where renders go; defaults to <home>/renders.")
    max_bytes: int = MAX_UPLOAD_BYTES
    http_token: SecretStr | None = None
    nemo_api_url: str = "https://mega-api-prod.nemovideo.ai"
    nemo_web_url: str = "https://nemovideo.com"
    nemo_token: SecretStr | None = None
    nemo_client_id: str | None = None
    skill_source: str | None = None
    log_level: str = "info"
    media_roots: str | None = Field(None, description="HTTP mode: folders local paths may come from.")
    allow_networks: str | None = Field(None, description="HTTP mode: private networks URLs may point at.")
    download_timeout_s: float = Field(600.0, gt=0, description="Longest a URL download may take in total.")
    database_url: SecretStr | None = Field(
        None, description="Cluster mode: the PostgreSQL (postgresql://…) holding state and jobs; unset = SQLite."
    )
    state_keys: SecretStr | None = Field(
        None, description="Replicas: comma-separated secrets (32+ bytes) sealing MCP request state; first one seals."
    )
    max_duration_s: float = MediaLimits.model_fields["max_duration_s"]
    max_frame_side: int = MediaLimits.model_fields["max_frame_side"]
    max_pixels: int = MediaLimits.model_fields["max_pixels"]
    max_streams: int = MediaLimits.model_fields["max_streams"]
    upload_quota_bytes: int = Field(
        20 * 1024**3, gt=0, description="Most bytes of downloaded media kept for one token (or the local user)."
    )
    max_renders: int = Field(1, ge=1, le=64, description="Exports rendering at once; the others wait in line.")
    confirm_credits: bool = Field(True, description="Ask the user before a request that spends cloud credits.")
    _remote: bool = PrivateAttr(default=False)

    @field_validator("backend", "log_level", mode="before")
    @classmethod
    def _typed_by_hand(cls, value: object) -> object:
        """A value typed into a settings form ("Cloud ", "INFO") means the same as the lower-case word."""
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("max_bytes", "upload_quota_bytes", mode="before")
    @classmethod
    def _size_with_unit(cls, value: object) -> object:
        """Bytes, or a size people write: 500MB, 4 GB, 1.5G (binary units, as the 500 MB default)."""
        match = _SIZE.match(value) if isinstance(value, str) else None
        if match is None:
            return value
        unit = match.group(2).lower().replace("i", "").replace("b", "")
        return int(float(match.group(1)) * _UNIT[unit])

    @field_validator("allow_networks")
    @classmethod
    def _networks_parse(cls, value: str | None) -> str | None:
        parse_networks(value)  # a bad entry fails at start-up, named, not at the first download
        return value

    @field_validator("max_duration_s", mode="before")
    @classmethod
    def _duration_with_unit(cls, value: object) -> object:
        """Seconds, or a length people write: 12h, 90m, 1:30:00."""
        return parse_duration(value) if isinstance(value, str) else value

    def media_limits(self) -> MediaLimits:
        """What an uploaded file may declare; checked by `probe` before any work (README, Security)."""
        return MediaLimits(
            max_duration_s=self.max_duration_s,
            max_frame_side=self.max_frame_side,
            max_pixels=self.max_pixels,
            max_streams=self.max_streams,
        )

    @property
    def remote(self) -> bool:
        """True under `serve --http`: clients are remote, so what they may read follows `source_policy`."""
        return self._remote

    def for_remote_clients(self) -> Settings:
        copy = self.model_copy()
        copy._remote = True
        return copy

    def source_policy(self) -> SourcePolicy:
        return SourcePolicy(
            remote=self.remote,
            media_roots=parse_roots(self.media_roots),
            allow_networks=parse_networks(self.allow_networks),
        )

    @property
    def cluster(self) -> bool:
        """True with a database URL: state and jobs in PostgreSQL, renders on `mcp-highlight worker`s."""
        return self.database_url is not None

    @property
    def renders_dir(self) -> Path:
        return self.output_dir or self.home / "renders"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def database(self) -> Path:
        return self.home / "state.sqlite3"

    def ensure_dirs(self) -> None:
        for folder in (self.home, self.renders_dir, self.cache_dir, self.home / "media"):
            folder.mkdir(parents=True, exist_ok=True)

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        values: dict[str, object] = {field: _env(name) for field, name in ENV_NAMES.items()}
        home = values["home"] or platformdirs.user_data_dir("mcp-highlight", appauthor=False)
        values["home"] = Path(str(home)).expanduser()
        values = {k: v for k, v in values.items() if v is not None}
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            wrong = "; ".join(f"{ENV_NAMES.get(str(e['loc'][0]), e['loc'][0])}: {e['msg']}" for e in exc.errors())
            raise BadInputError(
                f"The configuration is not valid ({wrong}).", hint="See README, Configuration."
            ) from None
