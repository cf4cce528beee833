"""The dashboard opens from the chat: the menu button for those allowed to use it, and a button under /summary."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.config import Settings
from bot.runtime.local import sandbox_bot
from bot.sandbox import FakeTelegram, load_spec
from models import Role
from tests.conftest import Database
from tests.e2e.conftest import MORNING, Clock, Harness

DASHBOARD = "https://samvad.example.org/app/"


@pytest.fixture
async def served(db: Database) -> AsyncIterator[Harness]:
    """The bot with the dashboard served at a public address."""
    settings = Settings()
    settings = replace(settings, web=replace(settings.web, public_url=DASHBOARD))
    clock = Clock(MORNING)
    fake = FakeTelegram(token="123456:dashboard-buttons", spec=load_spec())
    async with sandbox_bot(settings, db.sessions, fake=fake, clock=clock) as running:
        yield Harness(running, db, clock, settings)
    assert fake.violations == []


def _web_app_urls(markup: dict[str, object] | None) -> list[str]:
    rows = (markup or {}).get("inline_keyboard", [])
    return [button["web_app"]["url"] for row in rows for button in row if "web_app" in button]  # type: ignore[index, union-attr]


async def test_the_secretary_gets_the_dashboard_in_the_menu_and_under_the_summary(served: Harness) -> None:
    secretary = await served.new_user(user_id=9701, role=Role.organisation_secretary)

    await served.say(secretary, "/summary")
    menu = served.fake.bot_settings.get("setChatMenuButton", {})

    assert int(str(menu.get("chat_id"))) == 9701
    assert DASHBOARD in str(menu.get("menu_button"))
    assert _web_app_urls(secretary.last_message.reply_markup) == [DASHBOARD]


async def test_a_state_office_bearer_gets_neither(served: Harness) -> None:
    bearer = await served.new_user(user_id=9702, role=Role.state_office_bearer)

    await served.say(bearer, "/summary")

    assert "setChatMenuButton" not in served.fake.bot_settings
    assert _web_app_urls(bearer.last_message.reply_markup) == []


async def test_without_a_public_address_no_dashboard_button_is_offered(harness: Harness) -> None:
    secretary = await harness.new_user(user_id=9703, role=Role.organisation_secretary)

    await harness.say(secretary, "/summary")

    assert "setChatMenuButton" not in harness.fake.bot_settings
    assert _web_app_urls(secretary.last_message.reply_markup) == []
