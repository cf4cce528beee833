"""`/export` over the real bot: the secretary and admins get an Excel file of the period and area asked
for, written to the audit log; everyone else a polite no and no file."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from sqlalchemy import select

from bot.i18n import translate
from bot.sandbox import FakeUser
from models import AuditEntry, OfficeBearer
from tests.e2e.conftest import Harness
from tests.e2e.test_summary import ask, day_with_two_districts, forge


def sheet_rows(user: FakeUser) -> list[tuple[Any, ...]]:
    """The rows of the spreadsheet in the user's newest message, header first."""
    document = user.last_message.document
    assert document is not None and document.filename.endswith(".xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(document.data), read_only=True)
    return list(workbook.active.iter_rows(values_only=True))


async def audit_entries(h: Harness) -> list[AuditEntry]:
    """Every export in the audit log."""
    async with h.db.sessions() as session:
        return list((await session.execute(
            select(AuditEntry).where(AuditEntry.action == "export_calls").order_by(AuditEntry.id))).scalars())


async def test_the_secretary_gets_the_whole_state_as_an_excel_file_and_it_is_logged(harness: Harness) -> None:
    day = await day_with_two_districts(harness)
    secretary = day.users["secretary"]

    await ask(harness, secretary, "/export week")

    rows = sheet_rows(secretary)
    header, calls = rows[0], rows[1:]
    assert header[:2] == (translate("hi", "export.column.day"), translate("hi", "export.column.office_bearer"))
    assert len(calls) == 6
    assert {row[header.index(translate("hi", "export.column.district"))] for row in calls} == {"Lucknow", "Varanasi"}
    document = secretary.last_message.document
    assert document is not None and document.filename == "samvad-calls-2026-11-14-2026-11-20.xlsx"
    assert "पूरा प्रदेश" in (secretary.last_message.caption or "")
    (entry,) = await audit_entries(harness)
    async with harness.db.sessions() as session:
        secretary_id = (await session.execute(
            select(OfficeBearer.id).where(OfficeBearer.name == "Sachiv Ji"))).scalar_one()
    assert entry.actor_id == secretary_id
    assert entry.detail == {"start": "2026-11-14", "end": "2026-11-20", "scope": "all", "rows": 6}


async def test_the_export_button_of_a_district_view_exports_that_district(harness: Harness) -> None:
    day = await day_with_two_districts(harness)
    admin = day.users["admin"]
    await ask(harness, admin, "/summary")
    await harness.tap(admin, "Awadh", "Lucknow", "Excel")

    rows = sheet_rows(admin)

    district_column = rows[0].index(translate("hi", "export.column.district"))
    assert [row[district_column] for row in rows[1:]] == ["Lucknow"] * 4
    (entry,) = await audit_entries(harness)
    assert entry.detail is not None and entry.detail["scope"] == f"district:{day.lucknow_id}"


async def test_office_bearers_and_incharges_cannot_export(harness: Harness) -> None:
    day = await day_with_two_districts(harness)
    state, incharge = day.users["state"], day.users["lucknow_incharge"]
    refusal = translate("hi", "review.export.not_allowed")

    assert await ask(harness, state, "/export") == [refusal]
    assert await ask(harness, incharge, "/export month") == [refusal]
    await ask(harness, incharge, "/summary")
    await forge(harness, incharge, f"exp:d:{day.lucknow_id}:d20261120")

    assert incharge.callback_answers[-1] == refusal
    assert not any(message.document for user in (state, incharge) for message in user.messages)
    assert await audit_entries(harness) == []


async def test_a_forged_export_button_is_stale_and_exports_nothing(harness: Harness) -> None:
    day = await day_with_two_districts(harness)
    secretary = day.users["secretary"]
    await ask(harness, secretary, "/summary")

    await forge(harness, secretary, "exp:d:999999:d20261120")
    await forge(harness, secretary, "exp:p:1:d20261120")

    assert secretary.callback_answers[-2:] == [translate("hi", "button.stale"),
                                               translate("hi", "review.not_yours")]
    assert await audit_entries(harness) == []
