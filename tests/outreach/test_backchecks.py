"""Back-checks: the calls are sampled deterministically and chosen once; booth presidents register by their
number."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import Viewer
from bot.errors import UnknownNumber
from bot.outreach.backchecks import (
    StaleBackCheck,
    VerifierAnswer,
    answer_called,
    answer_needs,
    answer_verifier_call,
    choose_back_checks,
    choose_verifier_calls,
    is_sampled,
    verifier_rank,
)
from bot.outreach.people import register
from bot.review.periods import Level, Period, PeriodKind
from bot.review.progress import progress_view
from models import Assignment, AuditEntry, BackCheck, BoothPresident, OfficeBearer, Outcome, Role
from tests.factories import NOW, make_back_check, make_booth, make_office_bearer, make_report, president_of
from tests.review.test_flags import DAY, ZONE, call

# --- choosing back-checks -------------------------------------------------------------------------------


def test_the_back_checked_share_is_close_to_the_setting_and_the_same_every_time() -> None:
    chosen = [i for i in range(1, 10_001) if is_sampled(i, 0.2)]

    assert 1900 <= len(chosen) <= 2100
    assert chosen == [i for i in range(1, 10_001) if is_sampled(i, 0.2)]
    assert not any(is_sampled(i, 0.0) for i in range(1, 1000))
    assert all(is_sampled(i, 1.0) for i in range(1, 1000))


async def _registered(session: AsyncSession, *assignments: Assignment) -> None:
    for assignment in assignments:
        president = await session.get_one(BoothPresident, assignment.booth_president_id)
        president.telegram_user_id = 40_000 + assignment.id


async def test_talked_and_not_connected_calls_to_registered_booth_presidents_are_chosen_once(
        session: AsyncSession) -> None:
    person = await make_office_bearer(session)
    talked = await call(session, person, slot=1)
    unanswered = await call(session, person, slot=2, outcome=Outcome.no_answer)
    busy = await call(session, person, slot=3, outcome=Outcome.busy)
    call_back = await call(session, person, slot=4, outcome=Outcome.call_back)
    wrong = await call(session, person, slot=5, outcome=Outcome.wrong_number)
    unregistered = await call(session, person, day=DAY - timedelta(days=1))
    await _registered(session, talked, unanswered, busy, call_back, wrong)

    first = await choose_back_checks(session, day=DAY, share=1.0, now=NOW)
    again = await choose_back_checks(session, day=DAY, share=1.0, now=NOW)
    yesterday = await choose_back_checks(session, day=DAY - timedelta(days=1), share=1.0, now=NOW)

    rows = {row.assignment_id: row.attempted_only
            for row in await session.execute(select(BackCheck.assignment_id, BackCheck.attempted_only))}
    assert (first, again, yesterday) == (3, 3, 0)
    assert rows == {talked.id: False, unanswered.id: True, busy.id: True}
    assert unregistered.id not in rows


async def test_the_latest_report_decides_which_question_a_call_gets(session: AsyncSession) -> None:
    person = await make_office_bearer(session)
    reached_later = await call(session, person, slot=1, outcome=Outcome.no_answer)
    await make_report(session, reached_later, outcome=Outcome.talked, at=NOW + timedelta(hours=5))
    await _registered(session, reached_later)

    await choose_back_checks(session, day=DAY, share=1.0, now=NOW)

    check = (await session.execute(select(BackCheck))).scalar_one()
    assert (check.assignment_id, check.attempted_only, check.method) == (reached_later.id, False, "telegram")


async def test_a_not_connected_back_check_takes_yes_or_no_and_never_the_needs_question(
        session: AsyncSession) -> None:
    person = await make_office_bearer(session)
    unanswered = await call(session, person, slot=1, outcome=Outcome.switched_off)
    talked = await call(session, person, slot=2)
    await _registered(session, unanswered, talked)
    await choose_back_checks(session, day=DAY, share=1.0, now=NOW)
    checks = {c.assignment_id: c for c in (await session.execute(select(BackCheck))).scalars()}
    for check in checks.values():
        check.asked_at = NOW
    await session.flush()

    tried = await answer_called(session, back_check_id=checks[unanswered.id].id,
                                telegram_user_id=40_000 + unanswered.id, called=True, now=NOW)
    spoke = await answer_called(session, back_check_id=checks[talked.id].id, telegram_user_id=40_000 + talked.id,
                                called=True, now=NOW)

    assert (tried, spoke) == (False, True)
    with pytest.raises(StaleBackCheck):
        await answer_needs(session, back_check_id=checks[unanswered.id].id, telegram_user_id=40_000 + unanswered.id,
                           spoke=True)
    await session.refresh(checks[unanswered.id])
    assert (checks[unanswered.id].called, checks[unanswered.id].spoke_about_needs) == (True, None)


# --- verifiers: back-checks by phone --------------------------------------------------------------------


async def _verifier(session: AsyncSession, name: str, user_id: int | None, *, active: bool = True) -> OfficeBearer:
    return await make_office_bearer(session, name=name, role=Role.verifier, telegram_user_id=user_id, active=active)


async def test_each_verifier_gets_up_to_the_daily_number_of_conversations_and_no_call_goes_twice(
        session: AsyncSession) -> None:
    caller = await make_office_bearer(session)
    talked = [await call(session, caller, slot=slot) for slot in range(1, 8)]
    await call(session, caller, slot=8, outcome=Outcome.no_answer)
    await call(session, caller, slot=9, outcome=None)
    already = talked[0]
    session.add(BackCheck(assignment_id=already.id, booth_president_id=already.booth_president_id, created_at=NOW))
    first = await _verifier(session, "Verifier One", 61_001)
    second = await _verifier(session, "Verifier Two", 61_002)
    await _verifier(session, "Not Registered", None)
    (await _verifier(session, "Blocked", 61_003)).unreachable_since = NOW
    await _verifier(session, "Left", 61_004, active=False)

    handed = await choose_verifier_calls(session, day=DAY, per_verifier=2, now=NOW)
    again = await choose_verifier_calls(session, day=DAY, per_verifier=2, now=NOW)
    more = await choose_verifier_calls(session, day=DAY, per_verifier=3, now=NOW)

    phone = (await session.execute(select(BackCheck).where(BackCheck.method == "phone"))).scalars().all()
    by_verifier = Counter(check.verifier_id for check in phone)
    assert (handed, again, more) == (4, 0, 2)
    assert by_verifier == {first.id: 3, second.id: 3}
    assert {check.assignment_id for check in phone} == {a.id for a in talked[1:]}
    assert all(check.asked_at is None and not check.attempted_only for check in phone)


async def test_the_verifiers_choice_is_the_same_every_time(session: AsyncSession) -> None:
    caller = await make_office_bearer(session)
    talked = [await call(session, caller, slot=slot) for slot in range(1, 7)]
    await _verifier(session, "Verifier One", 61_011)

    await choose_verifier_calls(session, day=DAY, per_verifier=3, now=NOW)

    chosen = set((await session.execute(select(BackCheck.assignment_id))).scalars())
    expected = sorted((a.id for a in talked), key=verifier_rank)[:3]
    assert chosen == set(expected)


async def test_only_the_verifier_it_was_sent_to_answers_and_only_once(session: AsyncSession) -> None:
    caller = await make_office_bearer(session)
    confirmed, denied, unreached = [await call(session, caller, slot=slot) for slot in (1, 2, 3)]
    verifier = await _verifier(session, "Verifier One", 61_021)
    await choose_verifier_calls(session, day=DAY, per_verifier=3, now=NOW)
    other = await _verifier(session, "Verifier Two", 61_022)
    checks = {c.assignment_id: c for c in (await session.execute(select(BackCheck))).scalars()}
    assert {c.verifier_id for c in checks.values()} == {verifier.id}
    for check in checks.values():
        check.asked_at = NOW
    await session.flush()
    later = NOW + timedelta(hours=1)

    with pytest.raises(StaleBackCheck):
        await answer_verifier_call(session, back_check_id=checks[confirmed.id].id, telegram_user_id=61_022,
                                   answer=VerifierAnswer.talked, now=later)
    for assignment, answer in ((confirmed, VerifierAnswer.talked), (denied, VerifierAnswer.denied),
                               (unreached, VerifierAnswer.not_reached)):
        await answer_verifier_call(session, back_check_id=checks[assignment.id].id, telegram_user_id=61_021,
                                   answer=answer, now=later)
    with pytest.raises(StaleBackCheck):
        await answer_verifier_call(session, back_check_id=checks[confirmed.id].id, telegram_user_id=61_021,
                                   answer=VerifierAnswer.denied, now=later)

    for check in checks.values():
        await session.refresh(check)
    assert (checks[confirmed.id].called, checks[confirmed.id].answered_at) == (True, later)
    assert (checks[denied.id].called, checks[denied.id].answered_at) == (False, later)
    assert (checks[unreached.id].called, checks[unreached.id].answered_at, checks[unreached.id].error) == (
        None, None, "not_reached")
    assert other.id not in {c.verifier_id for c in checks.values()}


async def test_phone_checks_count_in_the_back_check_figures_with_the_others(session: AsyncSession) -> None:
    caller = await make_office_bearer(session)
    by_bot, by_phone, unreached = [await call(session, caller, slot=slot) for slot in (1, 2, 3)]
    await make_back_check(session, by_bot, called=True)
    await _verifier(session, "Verifier One", 61_031)
    await choose_verifier_calls(session, day=DAY, per_verifier=5, now=NOW)
    phone = {c.assignment_id: c for c in (await session.execute(
        select(BackCheck).where(BackCheck.method == "phone"))).scalars()}
    for check in phone.values():
        check.asked_at = NOW
    await session.flush()
    await answer_verifier_call(session, back_check_id=phone[by_phone.id].id, telegram_user_id=61_031,
                               answer=VerifierAnswer.denied, now=NOW)
    await answer_verifier_call(session, back_check_id=phone[unreached.id].id, telegram_user_id=61_031,
                               answer=VerifierAnswer.not_reached, now=NOW)

    view = await progress_view(session, Viewer.whole_state(), level=Level.state, area_id=0,
                               period=Period(PeriodKind.day, DAY), today=DAY, grace_days=2, now=NOW, zone=ZONE)
    counts = view.totals

    assert (counts.asked, counts.checked, counts.confirmed, counts.denied) == (3, 2, 1, 1)


# --- registration of booth presidents -------------------------------------------------------------------


async def test_a_booth_presidents_number_registers_them_and_the_office_bearer_roster_comes_first(
        session: AsyncSession) -> None:
    booth = await make_booth(session, phone="+919700001111")
    both = await make_booth(session, phone="+919700002222")
    bearer = await make_office_bearer(session, phone="+919700002222")

    president = await register(session, telegram_user_id=71, contact_user_id=71, phone="97000 01111", now=NOW)
    office_bearer = await register(session, telegram_user_id=72, contact_user_id=72, phone="+919700002222",
                                   now=NOW)

    assert isinstance(president, BoothPresident)
    assert (president.id, president.telegram_user_id) == ((await president_of(session, booth)).id, 71)
    assert office_bearer is bearer
    assert (await president_of(session, both)).telegram_user_id is None
    audit = (await session.execute(select(AuditEntry.subject).where(AuditEntry.action == "registered"))).scalars()
    assert sorted(audit) == [f"booth_president:{president.id}", f"office_bearer:{bearer.id}"]


async def test_an_inactive_booth_president_cannot_register(session: AsyncSession) -> None:
    booth = await make_booth(session, phone="+919700003333")
    (await president_of(session, booth)).active = False

    with pytest.raises(UnknownNumber):
        await register(session, telegram_user_id=73, contact_user_id=73, phone="+919700003333", now=NOW)
