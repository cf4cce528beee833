"""The calls export: the right rows and columns, readable back from CSV and Excel, and an audit entry."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import Viewer
from bot.review.exports import (
    BackCheckAnswer,
    CallExportRow,
    ExportNotAllowed,
    RaisedNeed,
    UnsupportedExportFormat,
    calls_xlsx_bytes,
    export_area,
    export_calls,
    export_cells,
    export_headers,
    record_export,
    write_calls,
)
from bot.review.flags import Flag
from bot.review.periods import Level, Period, PeriodKind
from models import AuditEntry, DeliveryStatus, NeedCategory, OfficeBearer, Outcome, Role, Strength, Wellbeing
from tests.factories import (
    NOW,
    make_assignment,
    make_back_check,
    make_booth,
    make_delivery,
    make_district,
    make_need,
    make_office_bearer,
    make_report,
    make_varanasi_booth,
)

DAY = date(2026, 11, 20)
INDIA = ZoneInfo("Asia/Kolkata")
FORMULA_NOTE = '=HYPERLINK("http://example.invalid","details")'
ASHA_PHONE = "+919700000101"
RAMESH_PHONE = "+919700000201"


@dataclass
class Scenario:
    """What the tests look up after building the day."""

    varanasi_id: int


async def build_day(session: AsyncSession) -> Scenario:
    """One delivered caller (a call reported twice, one not), one unreachable, one with no message yet."""
    await make_district(session, "Lucknow", "Awadh")
    varanasi = await make_district(session, "Varanasi", "Kashi")
    asha = await make_office_bearer(session, name="Asha Verma", phone=ASHA_PHONE, region="Awadh")
    ekta = await make_office_bearer(session, name="Ekta Rani")
    farhan = await make_office_bearer(session, name="Farhan Ali", role=Role.district_incharge,
                                      districts=("Varanasi",))
    await make_delivery(session, office_bearer=asha)
    await make_delivery(session, office_bearer=ekta, status=DeliveryStatus.failed, error="blocked")

    reported = await make_assignment(session, office_bearer=asha, slot=1, booth=await make_booth(
        session, number=1, strength=Strength.weak, president="Ramesh Yadav", phone=RAMESH_PHONE))
    await make_report(session, reported, outcome=Outcome.no_answer, at=NOW)
    talked = await make_report(session, reported, outcome=Outcome.talked, position=Strength.weak,
                               needs=(NeedCategory.voter_list,), notes=FORMULA_NOTE,
                               at=NOW + timedelta(hours=10))
    await make_need(session, talked, category=NeedCategory.other, detail="Generator for the booth meeting")
    await make_assignment(session, office_bearer=asha, slot=2,
                          booth=await make_varanasi_booth(session, number=2))
    await make_assignment(session, office_bearer=ekta, booth=await make_booth(session, number=3))
    await make_assignment(session, office_bearer=farhan, booth=await make_varanasi_booth(session, number=4))
    await make_assignment(session, office_bearer=asha, day=DAY - timedelta(days=1),
                          booth=await make_booth(session, number=5))
    await session.commit()
    return Scenario(varanasi_id=varanasi.id)


async def _day_rows(session: AsyncSession) -> list[CallExportRow]:
    await build_day(session)
    return await export_calls(session, start=DAY, end=DAY, timezone=INDIA)


async def test_export_has_one_row_per_assignment_in_caller_and_slot_order(session: AsyncSession) -> None:
    rows = await _day_rows(session)

    assert [(row.office_bearer, row.booth_no) for row in rows] == [
        ("Asha Verma", 1), ("Asha Verma", 2), ("Ekta Rani", 3), ("Farhan Ali", 4)]
    assert [row.delivery for row in rows] == [DeliveryStatus.sent, DeliveryStatus.sent,
                                              DeliveryStatus.failed, None]


async def test_export_row_carries_the_latest_report_needs_and_local_time(session: AsyncSession) -> None:
    rows = await _day_rows(session)

    first = rows[0]
    assert (first.day, first.office_bearer_phone, first.role) == (DAY, ASHA_PHONE, Role.state_office_bearer)
    assert (first.president, first.president_phone) == ("Ramesh Yadav", RAMESH_PHONE)
    assert (first.assembly_no, first.assembly, first.mandal, first.district, first.region) == (
        172, "Lucknow North", "Aliganj", "Lucknow", "Awadh")
    assert (first.outcome, first.wellbeing, first.booth_position) == (Outcome.talked, Wellbeing.well,
                                                                      Strength.weak)
    assert first.needs == (RaisedNeed(NeedCategory.voter_list, None),
                           RaisedNeed(NeedCategory.other, "Generator for the booth meeting"))
    assert first.reported_at == datetime(2026, 11, 20, 18, 30, tzinfo=INDIA)
    assert first.reported_at.isoformat() == "2026-11-20T18:30:00+05:30"
    assert (first.notes, first.attempts) == (FORMULA_NOTE, 2)
    unreported = rows[1]
    assert (unreported.outcome, unreported.needs, unreported.reported_at, unreported.attempts) == (
        None, (), None, 0)


async def test_export_district_filter_keeps_only_those_booths(session: AsyncSession) -> None:
    scenario = await build_day(session)

    rows = await export_calls(session, start=DAY, end=DAY, district_ids=[scenario.varanasi_id])

    assert [(row.office_bearer, row.district) for row in rows] == [("Asha Verma", "Varanasi"),
                                                                  ("Farhan Ali", "Varanasi")]


async def test_csv_opens_in_excel_as_utf8_with_hindi_headers_and_labels(session: AsyncSession,
                                                                         tmp_path: Path) -> None:
    rows = await _day_rows(session)
    path = tmp_path / "calls.csv"

    write_calls(path, rows, "hi")

    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header, *records = list(csv.reader(handle))
    assert header == export_headers("hi")
    assert "बूथ अध्यक्ष का मोबाइल" in header
    assert len(records) == 4
    first = dict(zip(header, records[0], strict=True))
    assert first["तारीख"] == "2026-11-20"
    assert first["पदाधिकारी का मोबाइल"] == ASHA_PHONE
    assert first["बूथ अध्यक्ष"] == "Ramesh Yadav"
    assert first["सुबह का संदेश"] == "पहुँचा"
    assert first["कॉल का नतीजा"] == "बात हुई"
    assert first["बूथ की स्थिति"] == "कमज़ोर"
    assert first["ज़रूरतें"] == "मतदाता सूची; अन्य: Generator for the booth meeting"
    assert first["रिपोर्ट का समय"] == "2026-11-20T18:30:00+05:30"
    assert first["टिप्पणी"] == "'" + FORMULA_NOTE
    assert first["रिपोर्ट की संख्या"] == "2"
    last = dict(zip(header, records[-1], strict=True))
    assert (last["सुबह का संदेश"], last["कॉल का नतीजा"], last["भूमिका"]) == ("संदेश नहीं बना", "",
                                                                             "जिला प्रभारी")


async def test_xlsx_has_bold_frozen_header_sized_columns_and_text_that_stays_text(
        session: AsyncSession, tmp_path: Path) -> None:
    rows = await _day_rows(session)
    path = tmp_path / "calls.XLSX"

    write_calls(path, rows, "en")

    sheet = openpyxl.load_workbook(path).active
    assert sheet.title == "Calls"
    header = [cell.value for cell in sheet[1]]
    assert header == export_headers("en")
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == 5
    first = dict(zip(header, (cell for cell in sheet[2]), strict=True))
    assert first["Date"].value == datetime(2026, 11, 20)
    assert first["Booth president's mobile"].value == RAMESH_PHONE
    assert first["Call outcome"].value == "Talked"
    assert first["Needs"].value == "Voter list; Other: Generator for the booth meeting"
    assert first["Reports made"].value == 2
    assert (first["Notes"].value, first["Notes"].data_type) == (FORMULA_NOTE, "s")
    widths = {letter: dimension.width for letter, dimension in sheet.column_dimensions.items()}
    assert widths[first["Date"].column_letter] >= len("2026-11-20")
    assert widths[first["Needs"].column_letter] > widths[first["Booth no."].column_letter]


async def test_xlsx_bytes_are_a_workbook_the_bot_can_send(session: AsyncSession) -> None:
    rows = await _day_rows(session)

    workbook = openpyxl.load_workbook(io.BytesIO(calls_xlsx_bytes(rows, "hi")))

    sheet = workbook.active
    assert sheet.title == "कॉल"
    assert [cell.value for cell in sheet[1]] == export_headers("hi")
    assert sheet.max_row == 5


def test_other_file_types_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "calls.pdf"

    with pytest.raises(UnsupportedExportFormat, match=r"\.csv or \.xlsx"):
        write_calls(path, [], "en")
    assert not path.exists()


async def test_export_is_audited_without_phone_numbers(session: AsyncSession) -> None:
    secretary = await make_office_bearer(session, name="Organisation Secretary",
                                         role=Role.organisation_secretary, phone=ASHA_PHONE)

    await record_export(session, actor_id=secretary.id, actor_label="telegram",
                        period=(DAY - timedelta(days=6), DAY), scope="districts:3,7", rows=4, now=NOW)
    await session.commit()

    entry = (await session.execute(select(AuditEntry))).scalar_one()
    assert (entry.action, entry.actor_id, entry.actor_label, entry.at) == (
        "export_calls", secretary.id, "telegram", NOW)
    assert entry.detail == {"start": "2026-11-14", "end": "2026-11-20", "scope": "districts:3,7", "rows": 4}
    assert "+91" not in f"{entry.subject} {entry.detail}"


async def _viewer_of(session: AsyncSession, person: OfficeBearer) -> Viewer:
    await session.refresh(person, ["districts"])
    return Viewer.of(person)


async def test_the_secretary_exports_one_district_of_a_period_and_it_is_logged(session: AsyncSession) -> None:
    scenario = await build_day(session)
    secretary = await make_office_bearer(session, name="Sachiv Ji", role=Role.organisation_secretary,
                                         phone="+919811100001")

    export = await export_area(session, await _viewer_of(session, secretary), level=Level.district,
                               area_id=scenario.varanasi_id, period=Period(PeriodKind.week, DAY),
                               timezone=INDIA, now=NOW)

    assert {row.district for row in export.rows} == {"Varanasi"}
    assert export.filename == "samvad-calls-2026-11-14-2026-11-20.xlsx"
    (entry,) = (await session.execute(select(AuditEntry))).scalars().all()
    assert (entry.actor_id, entry.actor_label, entry.action) == (secretary.id, "bot", "export_calls")
    assert entry.detail == {"start": "2026-11-14", "end": "2026-11-20", "scope": f"district:{scenario.varanasi_id}",
                            "rows": len(export.rows)}


async def test_only_the_secretary_and_admins_may_export(session: AsyncSession) -> None:
    await build_day(session)
    incharge = await make_office_bearer(session, role=Role.district_incharge, districts=("Lucknow",),
                                        phone="+919811100002")
    state = await make_office_bearer(session, phone="+919811100003")

    for person in (incharge, state):
        with pytest.raises(ExportNotAllowed):
            await export_area(session, await _viewer_of(session, person), level=Level.state, area_id=0,
                              period=Period(PeriodKind.day, DAY), timezone=INDIA, now=NOW)

    assert (await session.execute(select(AuditEntry))).scalars().all() == []


async def test_the_export_carries_each_calls_flags_and_the_booth_presidents_answer(session: AsyncSession) -> None:
    caller = await make_office_bearer(session, name="Asha Devi")
    booths = [await make_booth(session) for _ in range(3)]
    denied, unanswered, unasked = [await make_assignment(session, office_bearer=caller, booth=booth, day=DAY, slot=n)
                                   for n, booth in enumerate(booths, start=1)]
    for assignment in (denied, unanswered, unasked):
        await make_report(session, assignment)
    await make_back_check(session, denied, called=False)
    await make_back_check(session, unanswered)

    by_booth = {row.booth_no: row for row in await export_calls(session, start=DAY, end=DAY, timezone=INDIA)}
    rows = [by_booth[booth.number] for booth in booths]
    headers = export_headers("en")
    cells = [export_cells(row, "en") for row in rows]

    assert [row.back_check for row in rows] == [BackCheckAnswer.denied, BackCheckAnswer.unanswered, None]
    assert Flag.disputed in rows[0].flags
    assert rows[2].flags == ()
    assert cells[0][headers.index("Back-check")] == "denied by the booth president"
    assert "Booth president says there was no call" in str(cells[0][headers.index("Flags")])
    assert cells[2][headers.index("Back-check")] is None
