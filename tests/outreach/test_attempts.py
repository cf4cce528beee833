"""A call is done when there was a conversation: calls that did not connect come back, then close; wrong numbers
and changed presidents open corrections. Proved on the real database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import CallGivenAgain
from bot.outreach.assignment import RotationPolicy, assign_day, load_candidates
from bot.outreach.reports import (
    NOT_KNOWN,
    NewPresident,
    NewPresidentBadPhone,
    NewPresidentUnreadable,
    ReportDraft,
    open_assignment,
    read_new_president,
    record_report,
)
from models import (
    Assignment,
    AuditEntry,
    BoothPresident,
    Correction,
    CorrectionKind,
    CorrectionStatus,
    OfficeBearer,
    Outcome,
)
from tests.factories import NOW, make_booth, make_office_bearer

DAY = date(2026, 11, 20)
POLICY = RotationPolicy(max_attempts=3)


async def _assign(session: AsyncSession, day: date) -> list[Assignment]:
    await assign_day(session, day=day, now=NOW, policy=POLICY)
    await session.flush()
    return list((await session.execute(
        select(Assignment).where(Assignment.day == day).order_by(Assignment.office_bearer_id, Assignment.slot)
    )).scalars())


async def _report(session: AsyncSession, assignment: Assignment, outcome: Outcome, *,
                  new_president: NewPresident | None = None) -> None:
    draft = ReportDraft(assignment.id, "anyone", outcome=outcome, new_president=new_president,
                        attempt=assignment.attempt)
    await record_report(session, draft=draft, office_bearer_id=assignment.office_bearer_id, today=assignment.day,
                        grace_days=1, now=NOW + timedelta(days=(assignment.day - DAY).days),
                        max_attempts=POLICY.max_attempts)


async def _roster(session: AsyncSession, booths: int, *callers: int) -> list[OfficeBearer]:
    for _ in range(booths):
        await make_booth(session)
    return [await make_office_bearer(session, telegram_user_id=user_id) for user_id in callers]


async def _corrections(session: AsyncSession) -> list[Correction]:
    return list((await session.execute(select(Correction).order_by(Correction.id))).scalars())


def test_a_name_and_a_mobile_number_are_read_from_one_message_either_way_round() -> None:
    assert read_new_president("रमेश कुमार 98765 43210") == NewPresident("रमेश कुमार", "+919876543210")
    assert read_new_president("+91 98765-43210, Ramesh Kumar") == NewPresident("Ramesh Kumar", "+919876543210")
    assert read_new_president("  सुनीता देवी - 098765 43210 ") == NewPresident("सुनीता देवी", "+919876543210")


@pytest.mark.parametrize("text", ["रमेश कुमार", "98765 43210", "रमेश 98765 43210 या 91234 56789",
                                  "?? 98765 43210", "( ) 98765 43210"])
def test_a_message_without_both_a_name_and_one_number_is_not_read(text: str) -> None:
    with pytest.raises(NewPresidentUnreadable):
        read_new_president(text)


@pytest.mark.parametrize("text", ["रमेश कुमार 12345 67890", "रमेश कुमार 0522 2345678", "Ramesh 98765 4321"])
def test_a_number_that_is_not_an_indian_mobile_is_refused_with_what_was_typed(text: str) -> None:
    with pytest.raises(NewPresidentBadPhone) as refused:
        read_new_president(text)

    assert refused.value.params["value"] in text


async def test_a_call_that_did_not_connect_comes_back_to_the_same_caller_first_as_the_second_attempt(
        session: AsyncSession) -> None:
    (caller, colleague) = await _roster(session, 12, 801, 802)
    first_day = await _assign(session, DAY)
    missed = next(a for a in first_day if a.office_bearer_id == caller.id and a.slot == 2)
    await _report(session, missed, Outcome.busy)

    next_day = await _assign(session, DAY + timedelta(days=1))

    mine = [a for a in next_day if a.office_bearer_id == caller.id]
    assert (mine[0].slot, mine[0].booth_president_id, mine[0].attempt) == (1, missed.booth_president_id, 2)
    assert mine[1].attempt == 1
    assert missed.booth_president_id not in {a.booth_president_id for a in next_day
                                             if a.office_bearer_id == colleague.id}


async def test_after_max_attempts_without_a_conversation_the_booth_president_is_unreachable_and_out_of_rotation(
        session: AsyncSession) -> None:
    (caller,) = await _roster(session, 8, 803)
    day = DAY
    assignment = (await _assign(session, day))[0]
    president_id = assignment.booth_president_id
    attempts = []
    for outcome in (Outcome.no_answer, Outcome.switched_off, Outcome.busy):
        attempts.append(assignment.attempt)
        await _report(session, assignment, outcome)
        day += timedelta(days=1)
        given = await _assign(session, day)
        assignment = given[0]

    president = await session.get_one(BoothPresident, president_id)
    (correction,) = await _corrections(session)
    assert attempts == [1, 2, 3]
    assert president.unreachable_since is not None
    assert (correction.kind, correction.status, correction.booth_president_id, correction.reported_by_id) == (
        CorrectionKind.unreachable, CorrectionStatus.open, president_id, caller.id)
    assert president_id not in {a.booth_president_id for a in given}
    assert president_id not in {a.booth_president_id for a in await _assign(session, day + timedelta(days=40))}


async def test_a_conversation_on_the_second_attempt_closes_the_call(session: AsyncSession) -> None:
    await _roster(session, 8, 804)
    missed = (await _assign(session, DAY))[0]
    await _report(session, missed, Outcome.no_answer)
    second = (await _assign(session, DAY + timedelta(days=1)))[0]
    await _report(session, second, Outcome.talked)

    third_day = await _assign(session, DAY + timedelta(days=2))

    assert second.booth_president_id == missed.booth_president_id
    assert missed.booth_president_id not in {a.booth_president_id for a in third_day}
    assert await _corrections(session) == []


async def test_a_call_that_did_not_connect_goes_first_to_someone_else_when_its_caller_is_on_leave(
        session: AsyncSession) -> None:
    caller, colleague = await _roster(session, 12, 805, 806)
    missed = next(a for a in await _assign(session, DAY) if a.office_bearer_id == caller.id)
    await _report(session, missed, Outcome.no_answer)
    caller.paused_until = DAY + timedelta(days=1)
    await session.flush()

    next_day = await _assign(session, DAY + timedelta(days=1))

    (again,) = [a for a in next_day if a.booth_president_id == missed.booth_president_id]
    assert (again.office_bearer_id, again.attempt) == (colleague.id, 2)


async def test_an_unreported_call_is_not_tried_again_as_an_attempt(session: AsyncSession) -> None:
    await _roster(session, 8, 807)
    first = await _assign(session, DAY)

    next_day = await _assign(session, DAY + timedelta(days=1))

    assert {a.attempt for a in next_day} == {1}
    assert not {a.booth_president_id for a in first} & {a.booth_president_id for a in next_day}


async def test_a_wrong_number_opens_a_correction_and_leaves_rotation(session: AsyncSession) -> None:
    (caller,) = await _roster(session, 3, 808)
    given = (await _assign(session, DAY))[0]

    await _report(session, given, Outcome.wrong_number)

    (correction,) = await _corrections(session)
    president = await session.get_one(BoothPresident, given.booth_president_id)
    assert (correction.kind, correction.status, correction.reported_by_id, correction.booth_id) == (
        CorrectionKind.wrong_number, CorrectionStatus.open, caller.id, given.booth_id)
    assert correction.call_report_id is not None
    assert president.phone_reported_wrong_at is not None


async def test_no_longer_the_president_with_a_new_name_and_number_proposes_the_correction(
        session: AsyncSession) -> None:
    (caller,) = await _roster(session, 4, 809)
    given = (await _assign(session, DAY))[0]

    await _report(session, given, Outcome.not_president,
                  new_president=NewPresident("रमेश कुमार", "+919876543210"))

    (correction,) = await _corrections(session)
    assert (correction.kind, correction.status) == (CorrectionKind.not_president, CorrectionStatus.proposed)
    assert (correction.proposed_name, correction.proposed_phone, correction.proposed_by_id) == (
        "रमेश कुमार", "+919876543210", caller.id)
    assert correction.proposed_at is not None
    audit = (await session.execute(select(AuditEntry).where(
        AuditEntry.action == "president_change_reported"))).scalar_one()
    assert (audit.actor_id, audit.subject) == (caller.id, f"correction:{correction.id}")
    assert "+919876543210" not in str(audit.detail)
    next_day = await _assign(session, DAY + timedelta(days=1))
    assert given.booth_president_id not in {a.booth_president_id for a in next_day}


async def test_no_longer_the_president_without_a_name_leaves_the_correction_open(session: AsyncSession) -> None:
    await _roster(session, 4, 810)
    given = (await _assign(session, DAY))[0]

    await _report(session, given, Outcome.not_president, new_president=NOT_KNOWN)

    (correction,) = await _corrections(session)
    assert (correction.kind, correction.status, correction.proposed_name) == (
        CorrectionKind.not_president, CorrectionStatus.open, None)


async def test_a_late_conversation_on_a_call_closed_as_unreachable_puts_the_booth_president_back(
        session: AsyncSession) -> None:
    await _roster(session, 8, 806)
    day = DAY
    assignment = (await _assign(session, day))[0]
    for outcome in (Outcome.no_answer, Outcome.no_answer):
        await _report(session, assignment, outcome)
        day += timedelta(days=1)
        assignment = (await _assign(session, day))[0]
    await _report(session, assignment, Outcome.no_answer)  # the third attempt: the call closes as unreachable
    closed = await session.get_one(BoothPresident, assignment.booth_president_id)
    assert closed.unreachable_since is not None

    await _report(session, assignment, Outcome.talked)  # that evening the caller got through after all

    president = await session.get_one(BoothPresident, assignment.booth_president_id)
    (correction,) = await _corrections(session)
    assert president.unreachable_since is None
    assert correction.status is CorrectionStatus.confirmed
    candidates, _ = await load_candidates(session, day=day + timedelta(days=1), policy=POLICY)
    assert president.id in {candidate.president_id for candidate in candidates}, "back in rotation"


async def test_once_the_call_is_given_again_it_is_reported_on_the_new_day_only(session: AsyncSession) -> None:
    await _roster(session, 8, 807)
    first = (await _assign(session, DAY))[0]
    await _report(session, first, Outcome.no_answer)
    second = (await _assign(session, DAY + timedelta(days=1)))[0]
    assert (second.booth_president_id, second.attempt) == (first.booth_president_id, 2)

    with pytest.raises(CallGivenAgain) as refused:
        await open_assignment(session, assignment_id=first.id, office_bearer_id=first.office_bearer_id,
                              today=second.day, grace_days=1)
    draft = await open_assignment(session, assignment_id=second.id, office_bearer_id=second.office_bearer_id,
                                  today=second.day, grace_days=1)

    assert refused.value.params == {"day": second.day.isoformat()}
    assert draft.assignment_id == second.id
