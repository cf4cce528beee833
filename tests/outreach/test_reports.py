"""Call reports in the domain: who may report what, and what is stored."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import AlreadyReported, NotYourAssignment, ReportWindowClosed
from bot.outreach.reports import ReportDraft, open_assignment, record_report
from models import BoothPresident, Need, NeedCategory, Outcome, Role, Strength, Wellbeing
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
                        need_detail="40 names missing in ward 3", notes="son unwell")

    report = await _record(session, draft, caller.id)

    assert (report.outcome, report.wellbeing, report.booth_position, report.notes) == (
        Outcome.talked, Wellbeing.concern, Strength.weak, "son unwell")
    needs = {(n.category, n.detail, n.booth_id) for n in (await session.execute(select(Need))).scalars()}
    assert needs == {(NeedCategory.voter_list, "40 names missing in ward 3", assignment.booth_id)}


async def test_every_chosen_need_keeps_the_typed_words(session: AsyncSession) -> None:
    caller, assignment = await _setup(session)
    draft = ReportDraft(assignment.id, "Kamla Devi", outcome=Outcome.talked, wellbeing=Wellbeing.well,
                        needs=frozenset({NeedCategory.voter_list, NeedCategory.booth_committee}),
                        need_detail="ward 3: names missing, committee short of 4 members")

    await _record(session, draft, caller.id)

    needs = {(n.category, n.detail) for n in (await session.execute(select(Need))).scalars()}
    assert needs == {(NeedCategory.booth_committee, "ward 3: names missing, committee short of 4 members"),
                     (NeedCategory.voter_list, "ward 3: names missing, committee short of 4 members")}


async def test_typed_words_with_no_category_chosen_become_an_other_need(session: AsyncSession) -> None:
    caller, assignment = await _setup(session)
    draft = ReportDraft(assignment.id, "Kamla Devi", outcome=Outcome.talked, wellbeing=Wellbeing.well,
                        need_detail="a shed for meetings")

    await _record(session, draft, caller.id)

    needs = [(n.category, n.detail) for n in (await session.execute(select(Need))).scalars()]
    assert needs == [(NeedCategory.other, "a shed for meetings")]


async def test_chosen_needs_without_words_are_stored_without_words(session: AsyncSession) -> None:
    caller, assignment = await _setup(session)
    draft = ReportDraft(assignment.id, "Kamla Devi", outcome=Outcome.talked, wellbeing=Wellbeing.well,
                        needs=frozenset({NeedCategory.leader_visit}))

    await _record(session, draft, caller.id)

    needs = [(n.category, n.detail) for n in (await session.execute(select(Need))).scalars()]
    assert needs == [(NeedCategory.leader_visit, None)]


async def test_a_new_need_is_owned_by_the_districts_first_active_incharge_and_due_after_the_set_days(
        session: AsyncSession) -> None:
    caller, assignment = await _setup(session)
    await make_office_bearer(session, role=Role.district_incharge, districts=("Lucknow",), active=False)
    first = await make_office_bearer(session, role=Role.district_incharge, districts=("Lucknow",))
    await make_office_bearer(session, role=Role.district_incharge, districts=("Lucknow",))
    await make_office_bearer(session, role=Role.district_incharge, districts=("Varanasi",))
    draft = ReportDraft(assignment.id, "Kamla Devi", outcome=Outcome.talked, wellbeing=Wellbeing.well,
                        needs=frozenset({NeedCategory.voter_list}))

    await record_report(session, draft=draft, office_bearer_id=caller.id, today=DAY, grace_days=1, now=NOW,
                        need_due_days=10)

    need = (await session.execute(select(Need))).scalar_one()
    assert (need.owner_id, need.due_on) == (first.id, date(2026, 11, 30))


async def test_a_need_of_a_district_without_an_incharge_goes_to_the_secretarys_queue(
        session: AsyncSession) -> None:
    caller, assignment = await _setup(session)
    await make_office_bearer(session, role=Role.organisation_secretary)
    await make_office_bearer(session, role=Role.district_incharge, districts=("Varanasi",))
    draft = ReportDraft(assignment.id, "Kamla Devi", outcome=Outcome.talked, wellbeing=Wellbeing.well,
                        need_detail="a shed for meetings")

    await _record(session, draft, caller.id)

    need = (await session.execute(select(Need))).scalar_one()
    assert (need.owner_id, need.due_on) == (None, date(2026, 12, 4))


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
