"""Personal data on a schedule and on request: old free text removed, one person erased or exported."""

from __future__ import annotations

import json
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import Viewer
from bot.outreach.corrections import open_correction
from bot.privacy import apply_retention, erase_person, export_person, find_people
from bot.review.periods import Level, Period, PeriodKind
from bot.review.progress import Counts, progress_view
from models import (
    AuditEntry,
    BoothPresident,
    CallReport,
    Correction,
    CorrectionKind,
    Need,
    NeedCategory,
    OfficeBearer,
    Outcome,
)
from tests.factories import (
    NOW,
    make_assignment,
    make_back_check,
    make_booth,
    make_delivery,
    make_need,
    make_office_bearer,
    make_report,
    president_of,
)

INDIA = ZoneInfo("Asia/Kolkata")
TODAY = NOW.date()
OLD_DAY = TODAY - timedelta(days=400)
RECENT_DAY = TODAY - timedelta(days=10)
PRESIDENT_PHONE = "+919700001111"
CALLER_PHONE = "+919700002222"


class Scenario:
    """Two booths and two callers; Ramesh (a booth president) and Kavita (a caller) will ask for their data."""

    ramesh: BoothPresident
    kavita: OfficeBearer
    other_caller: OfficeBearer
    other_president: BoothPresident
    ramesh_id: int
    kavita_id: int


async def build(session: AsyncSession) -> Scenario:
    """Kavita calls Ramesh long ago and recently, and another booth's president; another caller calls Ramesh."""
    s = Scenario()
    ramesh_booth = await make_booth(session, president="Ramesh Yadav", phone=PRESIDENT_PHONE)
    other_booth = await make_booth(session, president="Sita Devi")
    s.ramesh, s.other_president = await president_of(session, ramesh_booth), await president_of(session, other_booth)
    s.ramesh.telegram_user_id, s.ramesh.language = 7001, "en"
    s.kavita = await make_office_bearer(session, name="Kavita Singh", phone=CALLER_PHONE, telegram_user_id=7002,
                                        language="hi", districts=("Lucknow",))
    s.other_caller = await make_office_bearer(session, name="Mohan Lal")

    old = await make_assignment(session, office_bearer=s.kavita, booth=ramesh_booth, day=OLD_DAY)
    old_report = await make_report(session, old, notes="Ramesh's son is unwell", at=NOW - timedelta(days=400))
    await make_need(session, old_report, category=NeedCategory.voter_list, detail="part 3 list is missing")
    recent = await make_assignment(session, office_bearer=s.kavita, booth=ramesh_booth, day=RECENT_DAY)
    recent_report = await make_report(session, recent, notes="Ramesh will hold a meeting",
                                      at=NOW - timedelta(days=10))
    await make_need(session, recent_report, category=NeedCategory.leader_visit, detail="wants the MLA to visit")
    await make_back_check(session, recent, called=True, spoke_about_needs=True)
    sita = await make_assignment(session, office_bearer=s.kavita, booth=other_booth, day=RECENT_DAY, slot=2)
    await make_report(session, sita, notes="Sita asked for posters", at=NOW - timedelta(days=10))
    by_mohan = await make_assignment(session, office_bearer=s.other_caller, booth=ramesh_booth,
                                     day=RECENT_DAY - timedelta(days=1))
    await make_report(session, by_mohan, outcome=Outcome.no_answer, notes="Mohan: rang twice",
                      at=NOW - timedelta(days=11))
    await make_delivery(session, office_bearer=s.kavita, day=RECENT_DAY)
    session.add(AuditEntry(at=NOW, actor_id=s.kavita.id, actor_label="telegram", action="registered",
                           subject=f"office_bearer:{s.kavita.id}"))
    await session.commit()
    s.ramesh_id, s.kavita_id = s.ramesh.id, s.kavita.id
    return s


async def _totals(session: AsyncSession, day: date) -> Counts:
    """The whole state's totals over the thirty days ending on `day`."""
    view = await progress_view(session, Viewer.whole_state(), level=Level.state, area_id=0,
                               period=Period(PeriodKind.month, day), today=TODAY, grace_days=2, now=NOW, zone=INDIA)
    return view.totals


async def _notes(session: AsyncSession) -> set[str | None]:
    return set((await session.execute(select(CallReport.notes))).scalars())


async def _details(session: AsyncSession) -> set[str | None]:
    return set((await session.execute(select(Need.detail))).scalars())


async def _audit(session: AsyncSession, action: str) -> list[AuditEntry]:
    return list((await session.execute(select(AuditEntry).where(AuditEntry.action == action))).scalars())


async def test_retention_removes_only_text_older_than_the_period_and_keeps_every_count(
        session: AsyncSession) -> None:
    await build(session)
    old_before, recent_before = await _totals(session, OLD_DAY), await _totals(session, RECENT_DAY)

    removed = await apply_retention(session, now=NOW, retention_days=365)
    await session.commit()
    session.expire_all()

    assert removed == 2
    assert await _notes(session) == {None, "Ramesh will hold a meeting", "Sita asked for posters",
                                     "Mohan: rang twice"}
    assert await _details(session) == {None, "wants the MLA to visit"}
    assert await _totals(session, OLD_DAY) == old_before and old_before.talked == 1
    assert await _totals(session, RECENT_DAY) == recent_before
    [entry] = await _audit(session, "retention_applied")
    assert entry.detail == {"retention_days": 365, "notes": 1, "need_details": 1}
    assert await apply_retention(session, now=NOW, retention_days=365) == 0, "a second run finds nothing"


async def test_erasing_a_booth_president_removes_their_data_and_keeps_the_summaries(session: AsyncSession) -> None:
    s = await build(session)
    before = await _totals(session, RECENT_DAY)

    [ramesh] = await find_people(session, PRESIDENT_PHONE)
    erasure = await erase_person(session, ramesh, now=NOW, actor_label="cli")
    await session.commit()
    session.expire_all()

    erased = await session.get_one(BoothPresident, s.ramesh_id)
    assert (erased.name, erased.phone) == (f"erased-{s.ramesh_id}", f"erased-{s.ramesh_id}")
    assert (erased.telegram_user_id, erased.language, erased.active) == (None, None, False)
    assert (erasure.notes, erasure.need_details) == (3, 2)
    assert await _notes(session) == {None, "Sita asked for posters"}, "only calls to someone else keep notes"
    assert await _details(session) == {None}
    assert await _totals(session, RECENT_DAY) == before and before.assigned == 3
    [entry] = await _audit(session, "person_erased")
    assert entry.subject == f"booth_president:{s.ramesh_id}"
    assert "Ramesh" not in json.dumps(entry.detail) and "9700001111" not in json.dumps(entry.detail)
    assert await find_people(session, PRESIDENT_PHONE) == [], "a second erase finds nothing to erase"


async def test_erasing_an_office_bearer_removes_their_notes_and_keeps_their_calls_counted(
        session: AsyncSession) -> None:
    s = await build(session)
    before = await _totals(session, RECENT_DAY)

    [kavita] = await find_people(session, CALLER_PHONE)
    erasure = await erase_person(session, kavita, now=NOW, actor_label="cli")
    await session.commit()
    session.expire_all()

    erased = await session.get_one(OfficeBearer, s.kavita_id)
    assert (erased.name, erased.phone, erased.telegram_user_id, erased.active) == (
        f"erased-{s.kavita_id}", f"erased-{s.kavita_id}", None, False)
    assert (erasure.notes, erasure.need_details) == (3, 0)
    assert await _notes(session) == {None, "Mohan: rang twice"}
    assert await _totals(session, RECENT_DAY) == before
    assert [e.subject for e in await _audit(session, "person_erased")] == [f"office_bearer:{s.kavita_id}"]


async def test_the_export_of_a_person_holds_everything_about_them_and_nothing_of_others(
        session: AsyncSession) -> None:
    s = await build(session)

    president = await export_person(session, await find_people(session, PRESIDENT_PHONE), now=NOW,
                                    actor_label="cli")
    caller = await export_person(session, await find_people(session, CALLER_PHONE), now=NOW, actor_label="cli")
    await session.commit()

    [ramesh] = president["people"]
    assert ramesh["booth_president"]["name"] == "Ramesh Yadav"
    assert ramesh["booth_president"]["telegram_user_id"] == 7001
    assert len(ramesh["assignments_as_called"]) == 3
    assert {r["notes"] for r in ramesh["reports_on_calls_to_them"]} == {
        "Ramesh's son is unwell", "Ramesh will hold a meeting", "Mohan: rang twice"}
    assert {n["detail"] for r in ramesh["reports_on_calls_to_them"] for n in r["needs"]} == {
        "part 3 list is missing", "wants the MLA to visit"}
    assert [c["called"] for c in ramesh["back_checks"]] == [True]
    [kavita] = caller["people"]
    assert kavita["office_bearer"]["districts"] == ["Lucknow"]
    assert len(kavita["assignments_as_caller"]) == 3 and len(kavita["deliveries"]) == 1
    assert "Sita asked for posters" in {r["notes"] for r in kavita["reports_they_made"]}
    assert [e["action"] for e in kavita["audit"]] == ["registered"]
    for text, others in ((json.dumps(president, ensure_ascii=False), ("Kavita", "Mohan Lal", "Sita", CALLER_PHONE)),
                         (json.dumps(caller, ensure_ascii=False), ("Ramesh Yadav", PRESIDENT_PHONE, "Mohan Lal",
                                                                   s.other_president.phone))):
        assert not [other for other in others if other in text]
    assert {e.subject for e in await _audit(session, "person_exported")} == {
        f"booth_president:{s.ramesh_id}", f"office_bearer:{s.kavita_id}"}


async def test_erasing_a_booth_president_also_removes_a_correction_naming_them_and_their_invitation(
        session: AsyncSession) -> None:
    booth = await make_booth(session, president="Ramesh Yadav", phone="+919876543210")
    old = await president_of(session, booth)
    correction = await open_correction(session, booth_id=booth.id, booth_president_id=old.id,
                                       kind=CorrectionKind.not_president, now=NOW)
    correction.proposed_name, correction.proposed_phone = "Suresh Pal", "+919876543219"
    newcomer = BoothPresident(booth_id=booth.id, name="Suresh Pal", phone="+919876543219", active=True,
                              invite_token="suresh-link-token")
    session.add(newcomer)
    await session.flush()

    await erase_person(session, newcomer, now=NOW, actor_label="cli")
    await session.refresh(correction)

    assert (correction.proposed_name, correction.proposed_phone) == (f"erased-{newcomer.id}", None)
    assert newcomer.invite_token is None
    stored = (await session.execute(select(Correction.proposed_name, Correction.proposed_phone))).one()
    assert "9876543219" not in f"{stored}" and "Suresh" not in f"{stored}"
