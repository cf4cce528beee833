"""Call reports in the domain: who may report what, and what is stored."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import AlreadyReported, NotYourAssignment, ReportWindowClosed
from bot.outreach.reports import ReportDraft, open_assignment, record_report
from models import BoothPresident, Need, NeedCategory, Outcome, Strength, Wellbeing
from tests.factories import NOW, make_assignment, make_booth, make_office_bearer

DAY = date(2026, 11, 20)


async def _setup(session: AsyncSession):
    booth = await make_booth(session, president="Kamla Devi")
    caller = await make_office_bearer(session, telegram_user_id=11)
    assignment = await make_assignment(session, office_bearer=caller, booth=booth, day=DAY)
    return caller, assignment


async def _record(session: AsyncSession, draft: ReportDraft, caller_id: int, today: date = DAY):
    return await record_report(session, draft=draft, office_bearer_id=caller_id, today=today, grace_days=1,
                               now=NOW)


async def test_opening_a_report_names_the_booth_president(session: AsyncSession) -> None:
    caller, assignment = await _setup(session)

    draft = await open_assignment(session, assignment_id=assignment.id, office_bearer_id=caller.id, today=DAY,
                                  grace_days=1)

    assert draft.president_name == "Kamla Devi"
    assert draft.outcome is None


async def test_another_persons_call_cannot_be_opened(session: AsyncSession) -> None:
    _, assignment = await _setup(session)
    other = await make_office_bearer(session, telegram_user_id=12)

    with pytest.raises(NotYourAssignment):
        await open_assignment(session, assignment_id=assignment.id, office_bearer_id=other.id, today=DAY,
                              grace_days=1)


async def test_a_call_can_be_reported_the_next_day_but_not_later(session: AsyncSession) -> None:
    caller, assignment = await _setup(session)

    await open_assignment(session, assignment_id=assignment.id, office_bearer_id=caller.id,
                          today=date(2026, 11, 21), grace_days=1)
    with pytest.raises(ReportWindowClosed):
        await open_assignment(session, assignment_id=assignment.id, office_bearer_id=caller.id,
                              today=date(2026, 11, 22), grace_days=1)


async def test_a_talked_report_stores_wellbeing_position_needs_and_notes(session: AsyncSession) -> None:
    caller, assignment = await _setup(session)
    draft = ReportDraft(assignment.id, "Kamla Devi", outcome=Outcome.talked, wellbeing=Wellbeing.concern,
                        position=Strength.weak, needs=frozenset({NeedCategory.voter_list}),
                        need_detail="a shed for meetings", notes="son unwell")

    report = await _record(session, draft, caller.id)

    assert (report.outcome, report.wellbeing, report.booth_position, report.notes) == (
        Outcome.talked, Wellbeing.concern, Strength.weak, "son unwell")
    needs = {(n.category, n.detail, n.booth_id) for n in (await session.execute(select(Need))).scalars()}
    assert needs == {(NeedCategory.voter_list, None, assignment.booth_id),
                     (NeedCategory.other, "a shed for meetings", assignment.booth_id)}


async def test_no_answer_can_be_followed_by_talked_but_talked_is_final(session: AsyncSession) -> None:
    caller, assignment = await _setup(session)
    draft = ReportDraft(assignment.id, "Kamla Devi")

    await _record(session, replace(draft, outcome=Outcome.no_answer), caller.id)
    await _record(session, replace(draft, outcome=Outcome.talked, wellbeing=Wellbeing.well), caller.id)

    with pytest.raises(AlreadyReported):
        await _record(session, replace(draft, outcome=Outcome.no_answer), caller.id)


async def test_a_wrong_number_is_marked_on_the_booth_president(session: AsyncSession) -> None:
    caller, assignment = await _setup(session)

    await _record(session, ReportDraft(assignment.id, "Kamla Devi", outcome=Outcome.wrong_number), caller.id)

    president = (await session.execute(select(BoothPresident))).scalar_one()
    assert president.phone_reported_wrong_at == NOW


async def test_answers_to_questions_of_a_call_that_did_not_get_through_are_not_stored(
        session: AsyncSession) -> None:
    caller, assignment = await _setup(session)
    draft = ReportDraft(assignment.id, "Kamla Devi", outcome=Outcome.switched_off, wellbeing=Wellbeing.well,
                        position=Strength.strong, needs=frozenset({NeedCategory.leader_visit}))

    report = await _record(session, draft, caller.id)

    assert (report.wellbeing, report.booth_position) == (None, None)
    assert (await session.execute(select(Need))).scalars().all() == []
