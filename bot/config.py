"""Settings: a TOML file plus environment overrides, validated once at start-up.

A wrong setting stops start-up with one line naming the key (`ConfigError`), never later at run time.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, time, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LANGUAGES = ("hi", "en")
DEFAULT_TELEGRAM_URL = "https://api.telegram.org/bot"


class ConfigError(Exception):
    """A setting is missing, unknown or malformed; the message names the key."""


@dataclass(frozen=True)
class TelegramSettings:
    """How the bot reaches Telegram and how Telegram reaches the bot."""

    token: str | None = field(default=None, repr=False)
    base_url: str = DEFAULT_TELEGRAM_URL
    mode: str = "polling"
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    allow_paid_broadcast: bool = False


@dataclass(frozen=True)
class DatabaseSettings:
    """Where the data lives."""

    url: str = "sqlite+aiosqlite:///samvad.db"


@dataclass(frozen=True)
class OutreachSettings:
    """The daily programme: when contacts go out, how many, and which seats come first."""

    timezone: str = "Asia/Kolkata"
    push_time: time = time(8, 0)
    reminder_time: time = time(19, 0)
    contacts_per_day: int = 2
    focus_lok_sabha: tuple[str, ...] = ()
    default_language: str = "hi"
    report_grace_days: int = 1
    weak_weight: float = 2.0
    focus_weight: float = 2.0
    repeat_gap_days: int = 30
    report_timeout_minutes: int = 180
    max_attempts: int = 3

    @property
    def zone(self) -> ZoneInfo:
        """The configured timezone as a zoneinfo object."""
        return ZoneInfo(self.timezone)


def local_today(now: datetime, zone: tzinfo) -> date:
    """The day `now` falls on in `zone`: the programme's "today" is a local day, whatever the clock's zone."""
    return now.astimezone(zone).date()


@dataclass(frozen=True)
class ReviewSettings:
    """The organisation secretary's review: digests and back-checks of reported calls."""

    weekly_digest_day: str = "monday"
    weekly_digest_time: time = time(9, 0)
    daily_digest_time: time = time(20, 30)
    back_check_share: float = 0.2
    back_check_time: time = time(11, 0)
    verifier_daily_calls: int = 5
    silent_days: int = 30
    need_due_days: int = 14


@dataclass(frozen=True)
class PrivacySettings:
    """How long personal data is kept (India's DPDP Act 2023: no longer than the purpose needs)."""

    retention_days: int = 365
    retention_time: time = time(3, 0)


@dataclass(frozen=True)
class WebSettings:
    """The dashboard (a Telegram Mini App) that `samvad run` serves beside the bot."""

    enabled: bool = True
    listen: str = "127.0.0.1"
    port: int = 8080
    public_url: str | None = None
    max_auth_age_minutes: int = 60


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Settings:
    """Everything the process needs to know, read once at start-up."""

    telegram: TelegramSettings = TelegramSettings()
    database: DatabaseSettings = DatabaseSettings()
    outreach: OutreachSettings = OutreachSettings()
    review: ReviewSettings = ReviewSettings()
    privacy: PrivacySettings = PrivacySettings()
    web: WebSettings = WebSettings()


def _parse_time(key: str, value: Any) -> time:
    if not isinstance(value, str):
        raise ConfigError(f"{key}: expected a time like \"08:00\", got {value!r}")
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{key}: expected a time like \"08:00\", got {value!r}") from None


def _check_url(key: str, value: str, schemes: tuple[str, ...]) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in schemes or not (parsed.netloc or parsed.path):
        raise ConfigError(f"{key}: expected a URL starting with {' or '.join(schemes)}, got {value!r}")
    return value


def _section(cls: type, name: str, table: dict[str, Any]) -> Any:
    """Build one settings section from its TOML table, refusing unknown keys and wrong types."""
    known = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in table.items():
        full_key = f"{name}.{key}"
        if key not in known:
            raise ConfigError(f"{full_key}: unknown setting")
        default = getattr(cls(), key)
        if isinstance(default, time):
            value = _parse_time(full_key, value)
        elif isinstance(default, tuple):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{full_key}: expected a list of names")
            value = tuple(value)
        elif isinstance(default, float):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigError(f"{full_key}: expected a number, got {value!r}")
            value = float(value)
        elif isinstance(default, int):
            if type(value) is not type(default):
                raise ConfigError(f"{full_key}: expected {type(default).__name__}, got {value!r}")
        elif not isinstance(value, str):
            raise ConfigError(f"{full_key}: expected text, got {value!r}")
        values[key] = value
    return cls(**values)


def _validate(settings: Settings) -> Settings:
    tg, db, out = settings.telegram, settings.database, settings.outreach
    if tg.mode not in ("polling", "webhook"):
        raise ConfigError(f"telegram.mode: expected \"polling\" or \"webhook\", got {tg.mode!r}")
    _check_url("telegram.base_url", tg.base_url, ("http", "https"))
    if tg.webhook_url is not None:
        _check_url("telegram.webhook_url", tg.webhook_url, ("https", "http"))
    if tg.mode == "webhook" and not tg.webhook_url:
        raise ConfigError("telegram.webhook_url: required when telegram.mode is \"webhook\"")
    if tg.webhook_secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", tg.webhook_secret):
        raise ConfigError("telegram.webhook_secret: 1 to 256 characters, only A-Z, a-z, 0-9, _ and -")
    if not 0 < tg.webhook_port < 65536:
        raise ConfigError(f"telegram.webhook_port: expected a port number, got {tg.webhook_port}")
    _check_url("database.url", db.url, ("sqlite+aiosqlite", "postgresql+asyncpg"))
    try:
        ZoneInfo(out.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"outreach.timezone: unknown timezone {out.timezone!r}") from None
    if not 1 <= out.contacts_per_day <= 10:
        raise ConfigError(f"outreach.contacts_per_day: expected 1 to 10, got {out.contacts_per_day}")
    if out.default_language not in LANGUAGES:
        raise ConfigError(f"outreach.default_language: expected one of {', '.join(LANGUAGES)}")
    if not 0 <= out.report_grace_days <= 7:
        raise ConfigError(f"outreach.report_grace_days: expected 0 to 7, got {out.report_grace_days}")
    for key in ("weak_weight", "focus_weight"):
        if not 1.0 <= getattr(out, key) <= 10.0:
            raise ConfigError(f"outreach.{key}: expected 1 to 10, got {getattr(out, key)}")
    if not 0 <= out.repeat_gap_days <= 365:
        raise ConfigError(f"outreach.repeat_gap_days: expected 0 to 365, got {out.repeat_gap_days}")
    if not 10 <= out.report_timeout_minutes <= 24 * 60:
        raise ConfigError(f"outreach.report_timeout_minutes: expected 10 to 1440, got {out.report_timeout_minutes}")
    if not 1 <= out.max_attempts <= 7:
        raise ConfigError(f"outreach.max_attempts: expected 1 to 7, got {out.max_attempts}")
    if not 30 <= settings.privacy.retention_days <= 3650:
        raise ConfigError(f"privacy.retention_days: expected 30 to 3650, got {settings.privacy.retention_days}")
    review = settings.review
    if review.weekly_digest_day not in WEEKDAYS:
        raise ConfigError(f"review.weekly_digest_day: expected one of {', '.join(WEEKDAYS)}")
    if not 0.0 <= review.back_check_share <= 1.0:
        raise ConfigError(f"review.back_check_share: expected 0 to 1, got {review.back_check_share}")
    if not 0 <= review.verifier_daily_calls <= 100:
        raise ConfigError(f"review.verifier_daily_calls: expected 0 to 100, got {review.verifier_daily_calls}")
    if not 7 <= review.silent_days <= 365:
        raise ConfigError(f"review.silent_days: expected 7 to 365, got {review.silent_days}")
    if not 1 <= review.need_due_days <= 90:
        raise ConfigError(f"review.need_due_days: expected 1 to 90, got {review.need_due_days}")
    web = settings.web
    if not 0 < web.port < 65536:
        raise ConfigError(f"web.port: expected a port number, got {web.port}")
    if not web.listen:
        raise ConfigError("web.listen: expected an address to listen on")
    if web.public_url is not None:
        _check_url("web.public_url", web.public_url, ("https",))
    if not 1 <= web.max_auth_age_minutes <= 24 * 60:
        raise ConfigError(f"web.max_auth_age_minutes: expected 1 to 1440, got {web.max_auth_age_minutes}")
    return settings


def config_path(explicit: str | os.PathLike[str] | None) -> Path:
    """The config file to read: `--config`, else `$SAMVAD_CONFIG`, else `./config.toml`."""
    return Path(explicit or os.environ.get("SAMVAD_CONFIG") or "config.toml")


def load_settings(path: str | os.PathLike[str] | None = None,
                  environ: dict[str, str] | None = None) -> Settings:
    """Read and validate the settings; a missing file means defaults, the environment overrides secrets."""
    environ = dict(os.environ) if environ is None else environ
    file = config_path(path)
    raw: dict[str, Any] = {}
    if file.exists():
        try:
            raw = tomllib.loads(file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{file}: not valid TOML ({exc})") from None
    sections = {"telegram": TelegramSettings, "database": DatabaseSettings, "outreach": OutreachSettings,
                "review": ReviewSettings, "privacy": PrivacySettings, "web": WebSettings}
    for key in raw:
        if key not in sections:
            raise ConfigError(f"{key}: unknown section")
        if not isinstance(raw[key], dict):
            raise ConfigError(f"{key}: expected a [{key}] table")
    built = {name: _section(cls, name, raw.get(name, {})) for name, cls in sections.items()}
    settings = Settings(**built)
    overrides = {
        "SAMVAD_TELEGRAM_TOKEN": ("telegram", "token"),
        "SAMVAD_WEBHOOK_SECRET": ("telegram", "webhook_secret"),
        "SAMVAD_DATABASE_URL": ("database", "url"),
    }
    for variable, (section, key) in overrides.items():
        if environ.get(variable):
            section_value = replace(getattr(settings, section), **{key: environ[variable]})
            settings = replace(settings, **{section: section_value})
    return _validate(settings)
