"""Settings: the example file is valid, and a wrong setting stops start-up naming the key."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from bot.config import ConfigError, OutreachSettings, WebSettings, load_settings, local_today

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_config_is_valid_and_documents_the_defaults() -> None:
    settings = load_settings(EXAMPLE, environ={})

    assert settings.outreach.push_time == time(8, 0)
    assert settings.outreach.contacts_per_day == 2
    assert "Rae Bareli" in settings.outreach.focus_lok_sabha
    assert settings.telegram.token is None
    assert settings.web == WebSettings()


def test_the_web_section_is_read(tmp_path: Path) -> None:
    settings = load_settings(_write(tmp_path, '[web]\nenabled = false\nlisten = "0.0.0.0"\nport = 9000\n'
                                              'public_url = "https://samvad.example.org/app/"\n'
                                              'max_auth_age_minutes = 30\n'), environ={})

    assert settings.web == WebSettings(enabled=False, listen="0.0.0.0", port=9000,
                                       public_url="https://samvad.example.org/app/", max_auth_age_minutes=30)


def test_a_missing_file_means_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "absent.toml", environ={})

    assert settings.database.url == "sqlite+aiosqlite:///samvad.db"
    assert settings.outreach.timezone == "Asia/Kolkata"


def test_secrets_come_from_the_environment(tmp_path: Path) -> None:
    settings = load_settings(_write(tmp_path, ""), environ={
        "SAMVAD_TELEGRAM_TOKEN": "42:env-token", "SAMVAD_DATABASE_URL": "postgresql+asyncpg://db/samvad"})

    assert settings.telegram.token == "42:env-token"
    assert settings.database.url == "postgresql+asyncpg://db/samvad"
    assert "env-token" not in repr(settings)


@pytest.mark.parametrize(("text", "named"), [
    ('[outreach]\npush_tme = "08:00"\n', "outreach.push_tme"),
    ('[outreach]\npush_time = "8 baje"\n', "outreach.push_time"),
    ('[outreach]\ncontacts_per_day = "two"\n', "outreach.contacts_per_day"),
    ('[outreach]\ntimezone = "Mars/Olympus"\n', "outreach.timezone"),
    ('[telegram]\nbase_url = "ftp://example"\n', "telegram.base_url"),
    ('[telegram]\nmode = "pigeon"\n', "telegram.mode"),
    ('[telegram]\nmode = "webhook"\n', "telegram.webhook_url"),
    ('[database]\nurl = "mysql://x"\n', "database.url"),
    ('[extras]\nx = 1\n', "extras"),
    ('[telegram]\nwebhook_secret = "no spaces please"\n', "telegram.webhook_secret"),
    ('[outreach]\nweak_weight = 0.5\n', "outreach.weak_weight"),
    ('[outreach]\nrepeat_gap_days = -1\n', "outreach.repeat_gap_days"),
    ('[outreach]\nreport_timeout_minutes = 5\n', "outreach.report_timeout_minutes"),
    ('[review]\nweekly_digest_day = "funday"\n', "review.weekly_digest_day"),
    ('[outreach]\nmax_attempts = 0\n', "outreach.max_attempts"),
    ('[review]\nverifier_daily_calls = -1\n', "review.verifier_daily_calls"),
    ('[review]\nsilent_days = 3\n', "review.silent_days"),
    ('[review]\nneed_due_days = 0\n', "review.need_due_days"),
    ('[review]\nback_check_share = 1.5\n', "review.back_check_share"),
    ('[privacy]\nretention_days = 7\n', "privacy.retention_days"),
    ('[web]\nenabled = "yes"\n', "web.enabled"),
    ('[web]\nport = 0\n', "web.port"),
    ('[web]\nport = "8080"\n', "web.port"),
    ('[web]\nlisten = ""\n', "web.listen"),
    ('[web]\npublic_url = "http://samvad.example.org/app/"\n', "web.public_url"),
    ('[web]\nmax_auth_age_minutes = 0\n', "web.max_auth_age_minutes"),
    ('[web]\nmenu = true\n', "web.menu"),
    ('web = 1\n', "web"),
])
def test_a_wrong_setting_names_its_key(tmp_path: Path, text: str, named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(_write(tmp_path, text), environ={})

    assert str(caught.value).startswith(named)
    assert "\n" not in str(caught.value)


def test_today_is_the_local_day_of_the_configured_zone() -> None:
    zone = OutreachSettings().zone
    assert local_today(datetime(2026, 11, 19, 18, 29, tzinfo=UTC), zone) == date(2026, 11, 19)
    assert local_today(datetime(2026, 11, 19, 18, 30, tzinfo=UTC), zone) == date(2026, 11, 20)
