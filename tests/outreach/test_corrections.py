"""Corrections open once per booth president and wait until decided."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit import AuditAction
from bot.errors import NotAllowed
from bot.outreach.assignment import RotationPolicy, assign_day
from bot.outreach.corrections import (
    CorrectionChanged,
    CorrectionNotInScope,
    CorrectionsPage,
    InvalidName,
    NumberTaken,
    confirm,
    list_corrections,
    open_correction,
    proposal_stamp,
    propose,
    reject,
)
from bot.phones import InvalidPhone
from models import (
    Assignment,
    AuditEntry,
    Booth,
    BoothPresident,
    Correction,
    CorrectionKind,
    CorrectionStatus,
    OfficeBearer,
    Role,
)
from tests.factories import NOW, make_booth, make_office_bearer, make_varanasi_booth, president_of


async def test_a_correction_opens_once_per_booth_president_while_it_is_pending(session: AsyncSession) -> None:
    booth = await make_booth(session)
    president = await president_of(session, booth)

    first = await open_correction(session, booth_id=booth.id, booth_president_id=president.id,
                                  kind=CorrectionKind.wrong_number, now=NOW)
    again = await open_correction(session, booth_id=booth.id, booth_president_id=president.id,
                                  kind=CorrectionKind.unreachable, now=NOW)

    assert again.id == first.id
    assert first.status is CorrectionStatus.open
    assert first.kind is CorrectionKind.wrong_number
    assert (await session.execute(select(func.count()).select_from(Correction))).scalar_one() == 1


async def test_a_decided_correction_leaves_room_for_a_new_one(session: AsyncSession) -> None:
    booth = await make_booth(session)
    president = await president_of(session, booth)
    first = await open_correction(session, booth_id=booth.id, booth_president_id=president.id,
                                  kind=CorrectionKind.wrong_number, now=NOW)
    first.status = CorrectionStatus.rejected
    await session.flush()

    second = await open_correction(session, booth_id=booth.id, booth_president_id=president.id,
                                   kind=CorrectionKind.not_president, now=NOW)

    assert second.id != first.id
    assert second.kind is CorrectionKind.not_president


# --- who sees which corrections, and what they may do with them ---

DAY = date(2026, 11, 20)


async def _wrong_number(session: AsyncSession, booth: Booth, *, at: datetime = NOW,
                        reporter: OfficeBearer | None = None) -> Correction:
    """A caller reported the booth president's number wrong: out of rotation, a correction open."""
    president = await president_of(session, booth)
    president.phone_reported_wrong_at = at
    return await open_correction(session, booth_id=booth.id, booth_president_id=president.id,
                                 kind=CorrectionKind.wrong_number, now=at,
                                 reported_by_id=reporter.id if reporter else None)


async def _people(session: AsyncSession) -> dict[str, OfficeBearer]:
    return {
        "lucknow": await make_office_bearer(session, role=Role.district_incharge, districts=("Lucknow",),
                                            telegram_user_id=7101),
        "varanasi": await make_office_bearer(session, role=Role.district_incharge, districts=("Varanasi",)),
        "secretary": await make_office_bearer(session, role=Role.organisation_secretary),
        "admin": await make_office_bearer(session, role=Role.admin),
        "state": await make_office_bearer(session, role=Role.state_office_bearer, region="Awadh"),
        "verifier": await make_office_bearer(session, role=Role.verifier),
    }


async def _audit(session: AsyncSession, action: AuditAction) -> list[AuditEntry]:
    return list((await session.execute(
        select(AuditEntry).where(AuditEntry.action == action.value).order_by(AuditEntry.id))).scalars())


async def test_opening_a_correction_is_written_to_the_audit_log_once(session: AsyncSession) -> None:
    booth = await make_booth(session)
    caller = await make_office_bearer(session)
    first = await _wrong_number(session, booth, reporter=caller)
    await _wrong_number(session, booth, reporter=caller)

    (entry,) = await _audit(session, AuditAction.correction_opened)
    assert (entry.subject, entry.actor_id) == (f"correction:{first.id}", caller.id)
    assert entry.detail is not None and entry.detail["kind"] == "wrong_number"


async def test_each_role_sees_the_pending_corrections_of_its_scope_oldest_first(session: AsyncSession) -> None:
    lucknow_new = await make_booth(session, number=45)
    lucknow_old = await make_booth(session, number=46)
    varanasi = await make_varanasi_booth(session)
    people = await _people(session)
    newer = await _wrong_number(session, lucknow_new, at=NOW)
    older = await _wrong_number(session, lucknow_old, at=NOW - timedelta(days=2))
    elsewhere = await _wrong_number(session, varanasi, at=NOW - timedelta(days=1))
    decided = await _wrong_number(session, await make_booth(session, number=47))
    decided.status = CorrectionStatus.rejected
    await session.flush()

    def ids(page: CorrectionsPage) -> list[int]:
        return [item.id for item in page.items]

    assert ids(await list_corrections(session, people["lucknow"], now=NOW)) == [older.id, newer.id]
    assert ids(await list_corrections(session, people["varanasi"], now=NOW)) == [elsewhere.id]
    assert ids(await list_corrections(session, people["secretary"], now=NOW)) == [older.id, elsewhere.id, newer.id]
    assert ids(await list_corrections(session, people["admin"], now=NOW)) == [older.id, elsewhere.id, newer.id]
    for role in ("state", "verifier"):
        with pytest.raises(NotAllowed):
            await list_corrections(session, people[role], now=NOW)


async def test_the_list_says_where_what_and_who_and_masks_numbers_for_a_district_incharge(
        session: AsyncSession) -> None:
    booth = await make_booth(session, number=45, president="Ramesh Yadav", phone="+919876543210")
    people = await _people(session)
    caller = await make_office_bearer(session, name="Ravi Kumar")
    correction = await _wrong_number(session, booth, reporter=caller)

    (seen_by_incharge,) = (await list_corrections(session, people["lucknow"], now=NOW)).items
    (seen_by_admin,) = (await list_corrections(session, people["admin"], now=NOW)).items

    assert (seen_by_incharge.id, seen_by_incharge.booth_no, seen_by_incharge.assembly_no,
            seen_by_incharge.assembly, seen_by_incharge.district) == (correction.id, 45, 172, "Lucknow North",
                                                                      "Lucknow")
    assert (seen_by_incharge.kind, seen_by_incharge.reported_by, seen_by_incharge.president) == (
        CorrectionKind.wrong_number, "Ravi Kumar", "Ramesh Yadav")
    assert seen_by_incharge.phone == "+91 98xxxxxx10"
    assert seen_by_admin.phone == "+91 98765 43210"
    views = await _audit(session, AuditAction.corrections_viewed)
    assert [(v.actor_id, (v.detail or {})["numbers"]) for v in views] == [
        (people["lucknow"].id, "masked"), (people["admin"].id, "full")]


async def test_the_list_turns_pages_of_five(session: AsyncSession) -> None:
    people = await _people(session)
    for n in range(7):
        await _wrong_number(session, await make_booth(session), at=NOW + timedelta(minutes=n))

    first = await list_corrections(session, people["admin"], now=NOW)
    second = await list_corrections(session, people["admin"], page=1, now=NOW)
    beyond = await list_corrections(session, people["admin"], page=9, now=NOW)

    assert (len(first.items), len(second.items), first.pages, first.total) == (5, 2, 2, 7)
    assert beyond.page == 1


# --- proposing a new booth president ---

async def test_the_district_incharge_proposes_a_new_name_and_number(session: AsyncSession) -> None:
    booth = await make_booth(session)
    people = await _people(session)
    correction = await _wrong_number(session, booth)

    shown = await propose(session, people["lucknow"], correction_id=correction.id, name="  Suresh   Pal ",
                          phone="098765-43219", now=NOW)

    assert (correction.status, correction.proposed_name, correction.proposed_phone, correction.proposed_by_id) == (
        CorrectionStatus.proposed, "Suresh Pal", "+919876543219", people["lucknow"].id)
    assert (shown.proposed_name, shown.proposed_phone) == ("Suresh Pal", "+91 98xxxxxx19")
    (entry,) = await _audit(session, AuditAction.correction_proposed)
    assert "98765" not in str(entry.detail)


@pytest.mark.parametrize(("name", "phone", "error"), [
    ("Suresh Pal", "0522 2345678", InvalidPhone),      # a Lucknow landline
    ("Suresh Pal", "98765 4321", InvalidPhone),        # a digit short
    ("   ", "98765 43219", InvalidName),
    ("12345", "98765 43219", InvalidName),
])
async def test_a_proposal_needs_a_name_and_an_indian_mobile(session: AsyncSession, name: str, phone: str,
                                                            error: type[Exception]) -> None:
    booth = await make_booth(session)
    people = await _people(session)
    correction = await _wrong_number(session, booth)

    with pytest.raises(error):
        await propose(session, people["lucknow"], correction_id=correction.id, name=name, phone=phone, now=NOW)
    await session.refresh(correction)
    assert correction.status is CorrectionStatus.open


async def test_a_number_held_by_another_booth_president_or_an_office_bearer_is_refused(
        session: AsyncSession) -> None:
    booth = await make_booth(session)
    await make_booth(session, phone="+919876543219")
    people = await _people(session)
    await make_office_bearer(session, phone="+919876543218")
    correction = await _wrong_number(session, booth)

    for taken in ("98765 43219", "+91 98765 43218"):
        with pytest.raises(NumberTaken):
            await propose(session, people["admin"], correction_id=correction.id, name="Suresh Pal", phone=taken,
                          now=NOW)
    assert (await session.get(Correction, correction.id)).status is CorrectionStatus.open  # type: ignore[union-attr]


async def test_only_the_district_incharge_of_the_booth_or_an_admin_may_propose(session: AsyncSession) -> None:
    booth = await make_booth(session)
    people = await _people(session)
    correction = await _wrong_number(session, booth)

    with pytest.raises(CorrectionNotInScope):
        await propose(session, people["varanasi"], correction_id=correction.id, name="Suresh Pal",
                      phone="98765 43219", now=NOW)
    for role in ("secretary", "state", "verifier"):
        with pytest.raises(NotAllowed):
            await propose(session, people[role], correction_id=correction.id, name="Suresh Pal",
                          phone="98765 43219", now=NOW)
    await propose(session, people["admin"], correction_id=correction.id, name="Suresh Pal", phone="98765 43219",
                  now=NOW)
    assert correction.status is CorrectionStatus.proposed


async def test_a_second_proposal_or_a_forged_id_is_stale(session: AsyncSession) -> None:
    booth = await make_booth(session)
    people = await _people(session)
    correction = await _wrong_number(session, booth)
    await propose(session, people["lucknow"], correction_id=correction.id, name="Suresh Pal", phone="98765 43219",
                  now=NOW)

    with pytest.raises(CorrectionChanged):
        await propose(session, people["admin"], correction_id=correction.id, name="Mahesh", phone="98765 43217",
                      now=NOW)
    with pytest.raises(CorrectionChanged):
        await propose(session, people["admin"], correction_id=correction.id + 1000, name="Mahesh",
                      phone="98765 43217", now=NOW)
    assert correction.proposed_name == "Suresh Pal"


# --- deciding: confirm or reject ---

async def _proposed(session: AsyncSession, people: dict[str, OfficeBearer], booth: Booth, *,
                    phone: str = "98765 43219") -> Correction:
    correction = await _wrong_number(session, booth)
    await propose(session, people["lucknow"], correction_id=correction.id, name="Suresh Pal", phone=phone, now=NOW)
    return correction


async def test_confirming_replaces_the_president_and_the_new_one_is_called_the_next_day(
        session: AsyncSession) -> None:
    booth = await make_booth(session)
    old = await president_of(session, booth)
    people = await _people(session)
    correction = await _proposed(session, people, booth)
    policy = RotationPolicy(repeat_gap_days=0)
    assert await assign_day(session, day=DAY, now=NOW, policy=policy) == 0  # the booth is out of rotation

    new = await confirm(session, people["admin"], correction_id=correction.id, now=NOW)

    assert (new.name, new.phone, new.active, new.booth_id) == ("Suresh Pal", "+919876543219", True, booth.id)
    assert old.active is False and new.id != old.id
    assert (correction.status, correction.decided_by_id) == (CorrectionStatus.confirmed, people["admin"].id)
    assert await assign_day(session, day=DAY + timedelta(days=1), now=NOW, policy=policy) == 1
    (assignment,) = (await session.execute(select(Assignment))).scalars()
    assert (assignment.booth_president_id, assignment.office_bearer_id) == (new.id, people["lucknow"].id)
    (entry,) = await _audit(session, AuditAction.correction_confirmed)
    assert entry.detail == {"old": old.id, "new": new.id, "same_person": False}


async def test_confirming_an_unreachable_presidents_own_number_brings_them_back(session: AsyncSession) -> None:
    booth = await make_booth(session, president="Ramesh Yadav", phone="+919876543210")
    president = await president_of(session, booth)
    president.unreachable_since = NOW - timedelta(days=1)
    people = await _people(session)
    correction = await open_correction(session, booth_id=booth.id, booth_president_id=president.id,
                                       kind=CorrectionKind.unreachable, now=NOW)
    await propose(session, people["lucknow"], correction_id=correction.id, name="Ramesh Yadav",
                  phone="98765 43210", now=NOW)

    back = await confirm(session, people["admin"], correction_id=correction.id, now=NOW)

    assert back.id == president.id
    assert (back.active, back.unreachable_since, back.phone_reported_wrong_at) == (True, None, None)
    assert (await session.execute(select(func.count()).select_from(BoothPresident))).scalar_one() == 1
    assert await assign_day(session, day=DAY + timedelta(days=1), now=NOW,
                            policy=RotationPolicy(repeat_gap_days=0)) == 1


async def test_rejecting_reopens_the_correction_and_keeps_the_booth_out_of_rotation(session: AsyncSession) -> None:
    booth = await make_booth(session)
    old = await president_of(session, booth)
    people = await _people(session)
    correction = await _proposed(session, people, booth)

    await reject(session, people["admin"], correction_id=correction.id, now=NOW)

    assert (correction.status, correction.proposed_name, correction.proposed_phone) == (
        CorrectionStatus.open, None, None)
    assert (await president_of(session, booth)).id == old.id
    assert await assign_day(session, day=DAY + timedelta(days=1), now=NOW, policy=RotationPolicy()) == 0
    assert len(await _audit(session, AuditAction.correction_rejected)) == 1
    await propose(session, people["lucknow"], correction_id=correction.id, name="Mahesh Pal",
                  phone="98765 43217", now=NOW)
    assert correction.status is CorrectionStatus.proposed


async def test_only_an_admin_decides(session: AsyncSession) -> None:
    booth = await make_booth(session)
    people = await _people(session)
    correction = await _proposed(session, people, booth)

    for role in ("lucknow", "secretary", "state"):
        with pytest.raises(NotAllowed):
            await confirm(session, people[role], correction_id=correction.id, now=NOW)
        with pytest.raises(NotAllowed):
            await reject(session, people[role], correction_id=correction.id, now=NOW)
    assert correction.status is CorrectionStatus.proposed


async def test_a_decision_on_a_changed_or_forged_correction_is_stale(session: AsyncSession) -> None:
    booth = await make_booth(session)
    people = await _people(session)
    correction = await _proposed(session, people, booth)
    seen = proposal_stamp(correction.proposed_at)
    await reject(session, people["admin"], correction_id=correction.id, now=NOW)

    with pytest.raises(CorrectionChanged):  # rejected meanwhile
        await confirm(session, people["admin"], correction_id=correction.id, now=NOW, stamp=seen)
    await propose(session, people["lucknow"], correction_id=correction.id, name="Mahesh Pal",
                  phone="98765 43217", now=NOW + timedelta(minutes=5))
    with pytest.raises(CorrectionChanged):  # a new proposal, not the one on screen
        await confirm(session, people["admin"], correction_id=correction.id, now=NOW, stamp=seen)
    with pytest.raises(CorrectionChanged):
        await confirm(session, people["admin"], correction_id=correction.id + 1000, now=NOW)
    await confirm(session, people["admin"], correction_id=correction.id, now=NOW,
                  stamp=proposal_stamp(correction.proposed_at))
    with pytest.raises(CorrectionChanged):  # pressed twice
        await confirm(session, people["admin"], correction_id=correction.id, now=NOW)
    assert correction.status is CorrectionStatus.confirmed
    assert len(await _audit(session, AuditAction.correction_confirmed)) == 1


async def test_a_number_taken_between_proposal_and_confirmation_is_refused(session: AsyncSession) -> None:
    booth = await make_booth(session)
    old = await president_of(session, booth)
    people = await _people(session)
    correction = await _proposed(session, people, booth)
    await make_booth(session, phone="+919876543219")

    with pytest.raises(NumberTaken):
        await confirm(session, people["admin"], correction_id=correction.id, now=NOW)

    assert correction.status is CorrectionStatus.proposed
    assert (await president_of(session, booth)).id == old.id


async def test_a_newer_roster_president_and_a_confirmed_proposal_never_leave_two_active_presidents(
        session: AsyncSession) -> None:
    booth = await make_booth(session)
    old = await president_of(session, booth)
    people = await _people(session)
    correction = await _wrong_number(session, booth)
    old.active = False  # the IT cell imports a newer roster: the booth has a new president meanwhile
    from_roster = BoothPresident(booth_id=booth.id, name="Roster New", phone="+919876543218", active=True)
    session.add(from_roster)
    await session.flush()

    await propose(session, people["lucknow"], correction_id=correction.id, name="Roster New",
                  phone="98765 43218", now=NOW)
    kept = await confirm(session, people["admin"], correction_id=correction.id, now=NOW)

    active = (await session.execute(select(BoothPresident.id).where(
        BoothPresident.booth_id == booth.id, BoothPresident.active))).scalars().all()
    assert kept.id == from_roster.id
    assert active == [from_roster.id]


async def test_confirming_a_typed_president_retires_every_other_active_one_and_their_invitation(
        session: AsyncSession) -> None:
    booth = await make_booth(session)
    old = await president_of(session, booth)
    old.invite_token = "old-link-token"
    people = await _people(session)
    correction = await _wrong_number(session, booth)
    session.add(BoothPresident(booth_id=booth.id, name="Roster New", phone="+919876543218", active=True))
    await session.flush()
    await propose(session, people["lucknow"], correction_id=correction.id, name="Typed New",
                  phone="98765 43217", now=NOW)

    typed = await confirm(session, people["admin"], correction_id=correction.id, now=NOW)

    presidents = (await session.execute(select(BoothPresident.name, BoothPresident.active, BoothPresident.invite_token)
                                        .where(BoothPresident.booth_id == booth.id)
                                        .order_by(BoothPresident.id))).all()
    assert typed.name == "Typed New"
    assert [(name, active) for name, active, _ in presidents] == [
        (old.name, False), ("Roster New", False), ("Typed New", True)]
    assert presidents[0].invite_token is None, "the retired president's link leads nowhere"
