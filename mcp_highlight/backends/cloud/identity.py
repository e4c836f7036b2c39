"""Who we are to the hosted API: the client id, the token, the attribution headers.

The anonymous token is persisted (mode 0600) because the API hands out one per client id
every 7 days; the client id file holds only the UUID, as the vendor's own tools do.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path

from pydantic import ValidationError

import mcp_highlight
from mcp_highlight.backends.cloud.models import StoredToken
from mcp_highlight.core.config import Settings
from mcp_highlight.core.logs import get_logger, register_secret

SKILL_SOURCE = "highlight-editor-hd"
CLIENT_ID_FILE = "nemo_client_id"
TOKEN_FILE = "nemo_token"

log = get_logger(__name__)


def detect_platform(settings: Settings, install_path: Path | None = None) -> str:
    """`SKILL_SOURCE` wins; else the install path tells (~/.clawhub → clawhub, ~/.cursor → cursor)."""
    if settings.skill_source:
        return settings.skill_source
    where = str((install_path or Path(mcp_highlight.__file__)).resolve())
    home = str(Path.home())
    for folder, tag in ((".clawhub", "clawhub"), (".cursor", "cursor")):
        if where.startswith(os.path.join(home, folder)) or f"{os.sep}{folder}{os.sep}" in where:
            return tag
    return "unknown"


def attribution_headers(settings: Settings) -> dict[str, str]:
    return {
        "X-Skill-Source": SKILL_SOURCE,
        "X-Skill-Version": mcp_highlight.__version__,
        "X-Skill-Platform": detect_platform(settings),
    }


def _write_private(path: Path, text: str) -> None:
    """Atomic write of a file only the user can read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class Identity:
    """Client id and token, loaded from settings or the data directory."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.home = settings.home
        self.user_token: str | None = settings.nemo_token.get_secret_value() if settings.nemo_token else None
        register_secret(self.user_token)
        self._client_id: str | None = settings.nemo_client_id
        self._anonymous: StoredToken | None = None

    @property
    def is_registered(self) -> bool:
        """True with NEMO_TOKEN (a registered account), False with an anonymous token."""
        return self.user_token is not None

    @property
    def client_id(self) -> str:
        if self._client_id is None:
            path = self.home / CLIENT_ID_FILE
            stored = path.read_text(encoding="utf-8").strip() if path.exists() else ""
            self._client_id = stored if _is_uuid(stored) else self.new_client_id()
        return self._client_id

    def new_client_id(self) -> str:
        """A fresh UUID, persisted (alone) for the next run."""
        self._client_id = str(uuid.uuid4())
        _write_private(self.home / CLIENT_ID_FILE, self._client_id + "\n")
        log.info("cloud.client_id.created")
        return self._client_id

    def current_token(self) -> str | None:
        """The token to send, or None when an anonymous one must be obtained first."""
        if self.user_token:
            return self.user_token
        if self._anonymous is None:
            self._anonymous = self._load_anonymous()
        return self._anonymous.token if self._anonymous else None

    def store_anonymous(self, token: str) -> None:
        register_secret(token)
        self._anonymous = StoredToken(token=token, client_id=self.client_id, obtained_at=time.time())
        _write_private(self.home / TOKEN_FILE, self._anonymous.model_dump_json())
        log.info("cloud.token.stored", kind="anonymous")

    def forget_anonymous(self) -> None:
        self._anonymous = None
        (self.home / TOKEN_FILE).unlink(missing_ok=True)

    def _load_anonymous(self) -> StoredToken | None:
        path = self.home / TOKEN_FILE
        if not path.exists():
            return None
        try:
            stored = StoredToken.model_validate(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, ValidationError):
            log.warning("cloud.token.unreadable")
            return None
        register_secret(stored.token)
        if stored.client_id != self.client_id:
            return None  # a token belongs to the client id that obtained it
        return stored

    def anonymous_is_stale(self, max_age_s: float) -> bool:
        return self._anonymous is not None and time.time() - self._anonymous.obtained_at > max_age_s


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
