"""The bot's conversations and user data survive in the database, and come back exactly as they were."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.outreach.reports import ReportDraft
from bot.runtime.persistence import DatabasePersistence
from models import ConversationState, NeedCategory, Outcome, Strength, UserState, Wellbeing
from tests.conftest import Database

FULL_DRAFT = ReportDraft(assignment_id=7, president_name="Ram & Shyam <Yadav>", outcome=Outcome.talked,
                         wellbeing=Wellbeing.concern, position=Strength.weak,
                         needs=frozenset({NeedCategory.other, NeedCategory.booth_committee}),
                         need_detail="पानी की टंकी", notes="फिर बात करेंगे", call_back_in_days=None)


async def _rows(db: Database, model: type[object]) -> int:
    async with db.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def test_a_report_draft_comes_back_equal_after_a_restart(db: Database) -> None:
    before = DatabasePersistence(db.sessions)
    await before.update_user_data(6001, {"report_draft": FULL_DRAFT, "report_active_at": "2026-11-20T02:30:00+00:00"})
    await before.update_user_data(6002, {"report_draft": ReportDraft(assignment_id=8, president_name="Sita")})

    after = await DatabasePersistence(db.sessions).get_user_data()

    assert after == {
        6001: {"report_draft": FULL_DRAFT, "report_active_at": "2026-11-20T02:30:00+00:00"},
        6002: {"report_draft": ReportDraft(assignment_id=8, president_name="Sita")},
    }


async def test_user_data_is_overwritten_and_an_emptied_one_removed(db: Database) -> None:
    persistence = DatabasePersistence(db.sessions)
    await persistence.update_user_data(6001, {"report_draft": ReportDraft(assignment_id=8, president_name="Sita")})
    await persistence.update_user_data(6001, {"report_draft": FULL_DRAFT})
    assert await persistence.get_user_data() == {6001: {"report_draft": FULL_DRAFT}}

    await persistence.update_user_data(6001, {})

    assert await persistence.get_user_data() == {}
    assert await _rows(db, UserState) == 0


async def test_values_that_are_not_json_are_refused_rather_than_pickled(db: Database) -> None:
    with pytest.raises(TypeError):
        await DatabasePersistence(db.sessions).update_user_data(6001, {"when": object()})

    assert await _rows(db, UserState) == 0


async def test_conversation_steps_are_kept_per_conversation_and_key_and_forgotten_when_ended(db: Database) -> None:
    persistence = DatabasePersistence(db.sessions)
    await persistence.update_conversation("call_report", (6001, 6001), 1)
    await persistence.update_conversation("call_report", (6001, 6001), 3)
    await persistence.update_conversation("call_report", (6002, 6002), 6)
    await persistence.update_conversation("other", (6001, 6001), 2)

    fresh = DatabasePersistence(db.sessions)
    assert await fresh.get_conversations("call_report") == {(6001, 6001): 3, (6002, 6002): 6}

    await fresh.update_conversation("call_report", (6001, 6001), None)

    assert await fresh.get_conversations("call_report") == {(6002, 6002): 6}
    assert await fresh.get_conversations("other") == {(6001, 6001): 2}
    assert await _rows(db, ConversationState) == 2


def test_only_conversations_and_user_data_are_stored(db: Database) -> None:
    stored = DatabasePersistence(db.sessions).store_data

    assert (stored.user_data, stored.chat_data, stored.bot_data, stored.callback_data) == (True, False, False, False)
