"""Settings, read from the environment and an optional ``.env`` file.

Every setting is listed, with a comment, in ``.env.example``. Only ``DISCORD_TOKEN`` is required,
and only to run or sync; ``check`` reports it missing without stopping.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
from collections.abc import Mapping
from pathlib import Path

from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from attune.errors import ConfigError
from attune.shards import Shards

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = Path("data") / "attune.sqlite3"
DEFAULT_CONTENT_DIR = PROJECT_ROOT / "content"

ENV_NAMES = {
    "token": "DISCORD_TOKEN",
    "database": "ATTUNE_DATABASE",
    "content_dir": "ATTUNE_CONTENT_DIR",
    "dev_guild": "ATTUNE_DEV_GUILD",
    "log_level": "ATTUNE_LOG_LEVEL",
    "log_discord_debug": "ATTUNE_LOG_DISCORD_DEBUG",
    "api_base_url": "DISCORD_API_BASE_URL",
    "gateway_url": "DISCORD_GATEWAY_URL",
    "feeds_allow": "ATTUNE_FEEDS_ALLOW",
    "feeds_public_only": "ATTUNE_FEEDS_PUBLIC_ONLY",  # retired: accepted, ignored, logged (one version)
    "shard_count": "ATTUNE_SHARD_COUNT",
    "shards": "ATTUNE_SHARDS",
    "clusters": "ATTUNE_CLUSTERS",
}

_HOST_NAME = re.compile(
    r"^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$"
)


def _allow_entry(text: str) -> str:
    """One ``ATTUNE_FEEDS_ALLOW`` entry, normalised: an IP, a CIDR range or a host name."""
    entry = text.strip().lower()
    try:
        return str(ipaddress.ip_network(entry.strip("[]"), strict=False))
    except ValueError:
        pass
    if _HOST_NAME.match(entry):
        return entry.rstrip(".")
    raise ValueError(
        f"{text.strip()!r} is neither a host name, an IP address nor a CIDR range like 10.0.0.0/8"
    )


class Settings(BaseModel):
    """The operator's configuration, validated."""

    model_config = ConfigDict(frozen=True)

    token: str | None = None
    database: Path | str = DEFAULT_DATABASE  # an SQLite file, or a postgresql:// URL (kept a str)
    content_dir: Path = DEFAULT_CONTENT_DIR
    dev_guild: int | None = None
    log_level: str = "INFO"
    log_discord_debug: bool = False  # discord.py's request/gateway bodies: private text
    api_base_url: str | None = None
    gateway_url: str | None = None
    feeds_allow: tuple[str, ...] = ()
    feeds_public_only: str | None = None  # the retired setting's raw value, only to log that it is ignored
    shard_count: int | None = None  # all processes together; None: Discord's recommendation, one process
    shards: str | None = None  # this process's range, e.g. "0-7"
    clusters: int | None = None  # processes sharing the request budget (default: from the range)

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in logging.getLevelNamesMapping():
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @field_validator("feeds_allow", mode="before")
    @classmethod
    def _allow_list(cls, value: object) -> tuple[str, ...]:
        entries = (
            value.split(",") if isinstance(value, str) else value if isinstance(value, list | tuple) else ()
        )
        return tuple(dict.fromkeys(_allow_entry(str(e)) for e in entries if str(e).strip()))

    @field_validator("database", mode="before")
    @classmethod
    def _database(cls, value: object) -> object:
        if isinstance(value, str) and not value.startswith(("postgresql://", "postgres://")):
            return Path(value)
        return value

    @field_validator("api_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/") if value else value

    @field_validator("gateway_url")
    @classmethod
    def _ws_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("ws://", "wss://")):
            raise ValueError("must start with ws:// or wss://")
        return value

    @model_validator(mode="after")
    def _shard_layout(self) -> Settings:
        Shards.parse(self.shard_count, self.shards, self.clusters)
        return self

    @property
    def cluster(self) -> Shards:
        """This process's shards, what it owns and its share of the request budget."""
        return Shards.parse(self.shard_count, self.shards, self.clusters)

    def require_token(self) -> str:
        if not self.token:
            raise ConfigError(
                "DISCORD_TOKEN is not set: put your bot token in .env or the environment (see .env.example)."
            )
        return self.token


def load_settings(environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")) -> Settings:
    """Build settings from ``.env`` (if present) overlaid by the real environment."""
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    raw = {field: values[name].strip() for field, name in ENV_NAMES.items() if values.get(name, "").strip()}
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        if not error["loc"]:  # a rule across settings: its message names them
            raise ConfigError(str(error["msg"]).removeprefix("Value error, ") + ".") from None
        field = str(error["loc"][0])
        name = ENV_NAMES.get(field, field)
        message = str(error["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{name} is invalid: {message} (got {raw.get(field)!r}).") from None
