"""Roster import: reading CSV and XLSX, reporting every bad row, and upserting without losing history."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.roster.errors import RosterInvalid, RowError, describe_error
from bot.roster.files import read_table
from bot.roster.importer import (
    EntityCounts,
    ImportReport,
    validate_and_import_booths,
    validate_and_import_office_bearers,
)
from bot.roster.synthetic import write_csv
from models import (
    AssemblySeat,
    AuditEntry,
    Booth,
    BoothPresident,
    District,
    Mandal,
    OfficeBearer,
    Region,
    Role,
    Strength,
)

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
BOOTH_TABLES = (Region, District, AssemblySeat, Mandal, Booth, BoothPresident, AuditEntry)


def booth(n: int, **changes: str) -> dict[str, str]:
    """A valid booths-file row for booth `n` of Lucknow North, with an invented president and number."""
    row = {
        "region": "Awadh", "district": "Lucknow", "lok_sabha": "Lucknow", "assembly_no": "172",
        "assembly": "Lucknow North", "mandal": "Aliganj", "booth_no": str(n),
        "booth_name": f"Primary School Testpur {n}", "president_name": f"Test President {n}",
        "president_phone": f"+91 97000 {n:05d}", "strength": "moderate",
    }
    row.update(changes)
    return row


def person(n: int, role: str = "state_office_bearer", region: str = "", districts: str = "") -> dict[str, str]:
    """A valid office-bearers-file row with an invented name and number."""
    return {"name": f"Test Bearer {n}", "phone": f"96000 {n:05d}", "role": role, "region": region,
            "districts": districts}


def write_rows(path: Path, rows: Sequence[dict[str, str]]) -> Path:
    """Write rows as a CSV roster and return its path."""
    write_csv(path, rows)
    return path


async def import_booths(session: AsyncSession, path: Path, *, dry_run: bool = False,
                        progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Import a booths file the way the CLI does."""
    return await validate_and_import_booths(session, read_table(path), dry_run=dry_run, progress=progress, now=NOW)


async def import_people(session: AsyncSession, path: Path, *, dry_run: bool = False) -> ImportReport:
    """Import an office-bearers file the way the CLI does."""
    return await validate_and_import_office_bearers(session, read_table(path), dry_run=dry_run, now=NOW)


async def booth_errors(session: AsyncSession, tmp_path: Path, rows: Sequence[dict[str, str]]) -> list[RowError]:
    """The errors a booths file is rejected with."""
    with pytest.raises(RosterInvalid) as caught:
        await import_booths(session, write_rows(tmp_path / "booths.csv", rows))
    return caught.value.errors


async def people_errors(session: AsyncSession, tmp_path: Path, rows: Sequence[dict[str, str]]) -> list[RowError]:
    """The errors an office-bearers file is rejected with."""
    with pytest.raises(RosterInvalid) as caught:
        await import_people(session, write_rows(tmp_path / "people.csv", rows))
    return caught.value.errors


def where(errors: Sequence[RowError]) -> list[tuple[int, str, str]]:
    """Errors as (row, column, key), the part the tests pin down."""
    return [(e.row, e.column, e.message_key) for e in errors]


async def count(session: AsyncSession, model: type[Any]) -> int:
    """How many rows a table holds."""
    return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def counts(session: AsyncSession) -> dict[str, int]:
    """Row counts of every table a booth import writes to."""
    return {model.__name__: await count(session, model) for model in BOOTH_TABLES}


async def president_states(session: AsyncSession) -> dict[str, tuple[int, bool]]:
    """Each booth president's phone → (booth number, active)."""
    result = await session.execute(select(BoothPresident.phone, Booth.number, BoothPresident.active)
                                   .join(Booth, BoothPresident.booth_id == Booth.id))
    return {phone: (number, active) for phone, number, active in result}


# ------------------------------------------------------------------------------------------- reading


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_a_csv_reads_the_same_with_or_without_a_byte_order_mark(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "booths.csv"
    path.write_text("region,district\nAwadh,लखनऊ\n", encoding=encoding)

    table = read_table(path)

    assert path.read_bytes().startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    assert table.headers == ("region", "district")
    assert [(row.number, row.cells) for row in table.rows] == [(2, ("Awadh", "लखनऊ"))]


def test_empty_rows_are_skipped_but_row_numbers_stay_those_of_the_spreadsheet(tmp_path: Path) -> None:
    path = tmp_path / "booths.csv"
    path.write_text("region,district\nAwadh,Lucknow\n,\n\nBraj,Agra\n", encoding="utf-8")

    table = read_table(path)

    assert [row.number for row in table.rows] == [2, 5]


def test_an_xlsx_sheet_gives_numbers_as_the_text_people_typed(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["booth_no", "assembly_no", "president_phone", "booth_name"])
    sheet.append([12, 172.0, 9876543210, "प्राथमिक विद्यालय"])
    sheet.append([None, None, None, None])
    sheet.append([13.0, 172, 9.87654321e9, "Primary School"])
    workbook.save(tmp_path / "booths.xlsx")

    table = read_table(tmp_path / "booths.xlsx")

    assert table.headers == ("booth_no", "assembly_no", "president_phone", "booth_name")
    assert [(row.number, row.cells) for row in table.rows] == [
        (2, ("12", "172", "9876543210", "प्राथमिक विद्यालय")),
        (4, ("13", "172", "9876543210", "Primary School")),
    ]


@pytest.mark.parametrize("name, content, key", [
    ("booths.txt", b"region\n", "roster.file.unsupported"),
    ("booths.csv", "region,district\nAwadh,Lucknow\n".encode("utf-16"), "roster.file.not_utf8"),
    ("booths.csv", "region\nGorakhpur – Kashi\n".encode("cp1252"), "roster.file.not_utf8"),
    ("booths.xlsx", b"not a workbook", "roster.file.unreadable"),
])
def test_a_file_that_cannot_be_read_is_one_clear_error_naming_it(tmp_path: Path, name: str, content: bytes,
                                                                 key: str) -> None:
    (tmp_path / name).write_bytes(content)

    with pytest.raises(RosterInvalid) as caught:
        read_table(tmp_path / name)

    assert where(caught.value.errors) == [(0, "", key)]
    assert name in describe_error(caught.value.errors[0], "en")
    assert name in describe_error(caught.value.errors[0], "hi")


# -------------------------------------------------------------------------------------- booths: import


async def test_a_booths_file_creates_the_map_the_booths_and_their_presidents(session: AsyncSession,
                                                                             tmp_path: Path) -> None:
    rows = [booth(1), booth(2, strength="weak"), booth(3, mandal="Kapoorthala", strength="")]
    rows.append(booth(1, region="Braj", district="Agra", lok_sabha="Agra", assembly_no="89", assembly="Agra North",
                      mandal="Belanganj", president_phone="098765-43210"))

    report = await import_booths(session, write_rows(tmp_path / "booths.csv", rows))

    assert report.rows == 4
    assert {name: c.created for name, c in report.entities.items()} == {
        "regions": 2, "districts": 2, "lok_sabha_seats": 2, "assembly_seats": 2, "mandals": 3, "booths": 4,
        "booth_presidents": 4}
    seat = (await session.execute(select(AssemblySeat).where(AssemblySeat.number == 89))).scalar_one()
    assert seat.name == "Agra North"
    strengths = dict((await session.execute(select(Booth.number, Booth.strength).join(AssemblySeat)
                                            .where(AssemblySeat.number == 172))).all())
    assert strengths == {1: Strength.moderate, 2: Strength.weak, 3: None}
    assert (await president_states(session))["+919876543210"] == (1, True)


async def test_hindi_headers_and_hindi_strength_values_are_understood(session: AsyncSession, tmp_path: Path) -> None:
    hindi = {"region": "क्षेत्र", "district": "ज़िला", "lok_sabha": "लोक सभा", "assembly_no": "विधान सभा संख्या",
             "assembly": "विधान सभा", "mandal": "मंडल", "booth_no": "बूथ संख्या", "booth_name": "बूथ का नाम",
             "president_name": "बूथ अध्यक्ष", "president_phone": "मोबाइल", "strength": "स्थिति"}
    rows = [{hindi[k]: v for k, v in booth(n, strength=word).items()}
            for n, word in ((1, "मज़बूत"), (2, "कमजोर"), (3, "कमज़ोर"), (4, "सामान्य"))]

    await import_booths(session, write_rows(tmp_path / "booths.csv", rows))

    strengths = dict((await session.execute(select(Booth.number, Booth.strength))).all())
    assert strengths == {1: Strength.strong, 2: Strength.weak, 3: Strength.weak, 4: Strength.moderate}


async def test_headers_match_whatever_their_case_spacing_or_separators(session: AsyncSession, tmp_path: Path) -> None:
    spelled = {"region": " Region ", "district": "DISTRICT", "lok_sabha": "Lok Sabha", "assembly_no": "Assembly No.",
               "assembly": "assembly", "mandal": "Mandal", "booth_no": "booth-no", "booth_name": "Booth Name",
               "president_name": "President_Name", "president_phone": "Mobile", "strength": "Strength"}
    path = write_rows(tmp_path / "booths.csv", [{spelled[k]: v for k, v in booth(1).items()}])

    report = await import_booths(session, path)

    assert report.entities["booths"].created == 1


async def test_an_xlsx_roster_with_numeric_cells_imports(session: AsyncSession, tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    row = booth(7)
    sheet.append(list(row))
    sheet.append(list({**row, "assembly_no": 172, "booth_no": 7.0, "president_phone": 9700000777.0}.values()))
    workbook.save(tmp_path / "booths.xlsx")

    await import_booths(session, tmp_path / "booths.xlsx")

    assert await president_states(session) == {"+919700000777": (7, True)}


async def test_importing_the_same_file_again_creates_and_changes_nothing(session: AsyncSession,
                                                                         tmp_path: Path) -> None:
    path = write_rows(tmp_path / "booths.csv", [booth(n) for n in range(1, 6)])
    await import_booths(session, path)
    before = await counts(session)

    report = await import_booths(session, path)

    assert all(c == type(c)() for c in report.entities.values()), report.entities
    assert await counts(session) == {**before, "AuditEntry": before["AuditEntry"] + 1}


async def test_a_president_missing_from_a_new_file_is_deactivated_and_comes_back_with_a_later_one(
        session: AsyncSession, tmp_path: Path) -> None:
    full = write_rows(tmp_path / "full.csv", [booth(n) for n in range(1, 4)])
    await import_booths(session, full)

    shorter = await import_booths(session, write_rows(tmp_path / "short.csv", [booth(1), booth(2)]))

    assert shorter.entities["booth_presidents"].deactivated == 1
    assert await president_states(session) == {
        "+919700000001": (1, True), "+919700000002": (2, True), "+919700000003": (3, False)}
    assert await count(session, Booth) == 3

    again = await import_booths(session, full)

    assert again.entities["booth_presidents"].updated == 1
    assert (await president_states(session))["+919700000003"] == (3, True)


async def test_place_names_match_whatever_their_case_and_the_files_spelling_wins(session: AsyncSession,
                                                                                  tmp_path: Path) -> None:
    await import_booths(session, write_rows(tmp_path / "first.csv", [booth(1)]))

    report = await import_booths(session, write_rows(tmp_path / "second.csv", [
        booth(1, region="AWADH", district="lucknow", mandal=" Aliganj ")]))

    assert (report.entities["regions"], report.entities["districts"]) == (EntityCounts(0, 1), EntityCounts(0, 1))
    assert report.entities["mandals"] == EntityCounts()
    assert (await session.execute(select(District.name))).scalars().all() == ["lucknow"]
    assert (await session.execute(select(Region.name))).scalars().all() == ["AWADH"]


async def test_a_new_president_replaces_the_old_one_and_a_moved_one_follows_the_booth(
        session: AsyncSession, tmp_path: Path) -> None:
    await import_booths(session, write_rows(tmp_path / "before.csv", [booth(1), booth(2)]))

    report = await import_booths(session, write_rows(tmp_path / "after.csv", [
        booth(1, president_phone="+919700000002"),  # booth 2's president now runs booth 1
        booth(2, president_phone="+919700009999", president_name="New President"),
    ]))

    assert await president_states(session) == {
        "+919700000001": (1, False), "+919700000002": (1, True), "+919700009999": (2, True)}
    assert report.entities["booth_presidents"] == EntityCounts(created=1, updated=1,
                                                                                    deactivated=1)


async def test_an_empty_strength_keeps_the_stored_one_and_a_new_name_is_taken(session: AsyncSession,
                                                                              tmp_path: Path) -> None:
    await import_booths(session, write_rows(tmp_path / "first.csv", [booth(1, strength="weak")]))

    report = await import_booths(session, write_rows(tmp_path / "second.csv", [
        booth(1, strength="", booth_name="Panchayat Bhawan Testpur")]))

    stored = (await session.execute(select(Booth))).scalar_one()
    assert (stored.strength, stored.name) == (Strength.weak, "Panchayat Bhawan Testpur")
    assert report.entities["booths"].updated == 1


async def test_a_dry_run_reports_what_would_happen_and_writes_nothing(session: AsyncSession,
                                                                      tmp_path: Path) -> None:
    path = write_rows(tmp_path / "booths.csv", [booth(n) for n in range(1, 4)])

    report = await import_booths(session, path, dry_run=True)

    assert report.dry_run
    assert report.entities["booths"].created == 3
    assert report.entities["mandals"].created == 1
    assert set((await counts(session)).values()) == {0}


async def test_a_dry_run_against_stored_data_counts_changes_and_deactivations(session: AsyncSession,
                                                                              tmp_path: Path) -> None:
    await import_booths(session, write_rows(tmp_path / "first.csv", [booth(1), booth(2)]))
    before = await president_states(session)

    report = await import_booths(session, write_rows(tmp_path / "second.csv", [
        booth(1, mandal="New Mandal"), booth(3)]), dry_run=True)

    assert report.entities["mandals"].created == 1
    assert report.entities["booths"] == EntityCounts(created=1, updated=1)
    assert report.entities["booth_presidents"].deactivated == 1
    assert await president_states(session) == before
    assert await count(session, Mandal) == 1


async def test_every_import_is_audited_with_counts_and_without_phone_numbers(session: AsyncSession,
                                                                             tmp_path: Path) -> None:
    await import_booths(session, write_rows(tmp_path / "booths.csv", [booth(1), booth(2)]))

    entry = (await session.execute(select(AuditEntry))).scalar_one()

    assert (entry.action, entry.actor_label, entry.subject, entry.at) == (
        "roster_import_booths", "cli", "file:booths.csv", NOW)
    assert entry.detail is not None
    assert entry.detail["rows"] == 2
    assert entry.detail["booth_presidents"] == {"created": 2, "updated": 0, "deactivated": 0}
    assert "97000" not in str(entry.detail)


async def test_progress_is_reported_in_rows_up_to_all_of_them(session: AsyncSession, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    path = write_rows(tmp_path / "booths.csv", [booth(n) for n in range(1, 301)])

    await import_booths(session, path, progress=lambda done, total: seen.append((done, total)))

    assert seen[-1] == (300, 300)
    assert {total for _, total in seen} == {300}
    assert [done for done, _ in seen] == sorted({done for done, _ in seen})


def test_the_report_reads_as_one_line_in_either_language_leaving_out_what_did_not_change() -> None:
    report = ImportReport("booths", 3, False, {"regions": EntityCounts(), "booths": EntityCounts(3, 0, 0),
                                               "booth_presidents": EntityCounts(1, 0, 2)})
    unchanged = ImportReport("booths", 3, False, {"regions": EntityCounts(), "booths": EntityCounts()})

    assert report.describe("en") == ("3 rows; booths: 3 new, 0 changed; "
                                     "booth presidents: 1 new, 0 changed, 2 deactivated")
    assert report.describe("hi") == ("पंक्तियाँ: 3; बूथ — नई प्रविष्टियाँ: 3, बदली गईं: 0; "
                                     "बूथ अध्यक्ष — नई प्रविष्टियाँ: 1, बदली गईं: 0, निष्क्रिय की गईं: 2")
    assert unchanged.describe("en") == "3 rows; nothing to change"
    assert unchanged.describe("hi") == "पंक्तियाँ: 3; कोई बदलाव नहीं"


# -------------------------------------------------------------------------------------- booths: errors


@pytest.mark.parametrize("column, value, key", [
    ("president_phone", "12345", "roster.error.invalid_mobile"),
    ("president_phone", "+91 522 2234567", "roster.error.invalid_mobile"),
    ("president_phone", "", "roster.error.required"),
    ("booth_no", "0", "roster.error.bad_number"),
    ("booth_no", "-4", "roster.error.bad_number"),
    ("booth_no", "12a", "roster.error.bad_number"),
    ("assembly_no", "12.5", "roster.error.bad_number"),
    ("assembly_no", "", "roster.error.required"),
    ("strength", "excellent", "roster.error.invalid_strength"),
    ("president_name", " ", "roster.error.required"),
    ("district", "", "roster.error.required"),
    ("booth_name", "x" * 201, "roster.error.too_long"),
])
async def test_a_bad_cell_is_reported_with_its_row_and_column(session: AsyncSession, tmp_path: Path, column: str,
                                                              value: str, key: str) -> None:
    rows = [booth(1), booth(2), booth(3, **{column: value}), booth(4)]

    errors = await booth_errors(session, tmp_path, rows)

    assert where(errors) == [(4, column, key)]


async def test_every_bad_row_is_reported_not_just_the_first(session: AsyncSession, tmp_path: Path) -> None:
    rows = [booth(1, president_phone="98765"), booth(2), booth(3, booth_no="x", strength="best")]

    errors = await booth_errors(session, tmp_path, rows)

    assert where(errors) == [(2, "president_phone", "roster.error.invalid_mobile"),
                             (4, "booth_no", "roster.error.bad_number"),
                             (4, "strength", "roster.error.invalid_strength")]


async def test_a_booth_twice_in_the_file_names_the_row_it_first_appeared_in(session: AsyncSession,
                                                                           tmp_path: Path) -> None:
    rows = [booth(1), booth(2), booth(1, president_phone="+919700000099")]

    errors = await booth_errors(session, tmp_path, rows)

    assert where(errors) == [(4, "booth_no", "roster.error.duplicate_booth")]
    assert errors[0].params == {"first_row": 2}


async def test_a_phone_twice_in_the_file_is_found_however_it_is_written(session: AsyncSession,
                                                                        tmp_path: Path) -> None:
    rows = [booth(1), booth(2, president_phone="97000-00001")]

    errors = await booth_errors(session, tmp_path, rows)

    assert where(errors) == [(3, "president_phone", "roster.error.duplicate_phone")]
    assert errors[0].params == {"first_row": 2}
    assert "97000" not in describe_error(errors[0], "en")


@pytest.mark.parametrize("column, value", [
    ("assembly", "Lucknow South"), ("district", "Barabanki"), ("lok_sabha", "Mohanlalganj")])
async def test_one_assembly_number_with_two_names_or_places_is_an_error(session: AsyncSession, tmp_path: Path,
                                                                        column: str, value: str) -> None:
    errors = await booth_errors(session, tmp_path, [booth(1), booth(2, **{column: value})])

    assert where(errors) == [(3, column, "roster.error.assembly_conflict")]
    assert errors[0].params == {"number": 172, "first_row": 2}


async def test_a_district_under_two_regions_is_an_error(session: AsyncSession, tmp_path: Path) -> None:
    other_seat = {"assembly_no": "173", "assembly": "Lucknow East", "region": "Kashi"}

    errors = await booth_errors(session, tmp_path, [booth(1), booth(2, **other_seat)])

    assert where(errors) == [(3, "region", "roster.error.district_region_conflict")]


async def test_a_missing_required_column_is_one_error_naming_it(session: AsyncSession, tmp_path: Path) -> None:
    rows = [{k: v for k, v in booth(n).items() if k != "president_phone"} for n in (1, 2, 3)]

    errors = await booth_errors(session, tmp_path, rows)

    assert where(errors) == [(1, "president_phone", "roster.error.missing_column")]
    assert describe_error(errors[0], "en") == "row 1, column president_phone: this column is missing"


async def test_a_column_given_twice_under_two_names_is_an_error(session: AsyncSession, tmp_path: Path) -> None:
    path = tmp_path / "booths.csv"
    row = booth(1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*row, "मोबाइल"])
        writer.writerow([*row.values(), "9700000002"])

    with pytest.raises(RosterInvalid) as caught:
        await import_booths(session, path)

    assert where(caught.value.errors) == [(1, "president_phone", "roster.error.duplicate_column")]


async def test_a_file_with_only_a_header_is_refused(session: AsyncSession, tmp_path: Path) -> None:
    path = tmp_path / "booths.csv"
    path.write_text(",".join(booth(1)) + "\n", encoding="utf-8")

    with pytest.raises(RosterInvalid) as caught:
        await import_booths(session, path)

    assert where(caught.value.errors) == [(2, "", "roster.error.no_rows")]


async def test_a_file_with_errors_changes_nothing_at_all(session: AsyncSession, tmp_path: Path) -> None:
    await import_booths(session, write_rows(tmp_path / "good.csv", [booth(1), booth(2)]))
    before = (await counts(session), await president_states(session))

    await booth_errors(session, tmp_path, [booth(1, booth_name="Renamed"), booth(3), booth(4, booth_no="0")])

    assert (await counts(session), await president_states(session)) == before
    assert (await session.execute(select(Booth.name).where(Booth.number == 1))).scalar_one() != "Renamed"


def test_errors_are_described_with_row_and_column_in_either_language() -> None:
    error = RowError(14, "president_phone", "roster.error.invalid_mobile", {"value": "12345"})

    assert describe_error(error, "en") == "row 14, column president_phone: 12345 is not an Indian mobile number"
    assert describe_error(error, "hi") == "पंक्ति 14, कॉलम president_phone: 12345 भारतीय मोबाइल नंबर नहीं है"


# ---------------------------------------------------------------------------------------- office-bearers


async def _with_map(session: AsyncSession, tmp_path: Path) -> None:
    """Booths in two districts of Awadh and one of Braj, so that office-bearers have places to refer to."""
    await import_booths(session, write_rows(tmp_path / "booths.csv", [
        booth(1), booth(2, district="Barabanki", assembly_no="268", assembly="Barabanki", lok_sabha="Barabanki"),
        booth(3, region="Braj", district="Agra", assembly_no="89", assembly="Agra North", lok_sabha="Agra")]))


async def test_office_bearers_are_imported_with_their_role_region_and_districts(session: AsyncSession,
                                                                               tmp_path: Path) -> None:
    await _with_map(session, tmp_path)
    rows = [person(1), person(2, "district_incharge", "Awadh", "Lucknow; barabanki"),
            person(3, "organisation_secretary"), person(4, "admin"), person(5, region="braj")]

    report = await import_people(session, write_rows(tmp_path / "people.csv", rows))

    assert report.entities["office_bearers"].created == 5
    people = {p.phone: p for p in (await session.execute(select(OfficeBearer))).scalars()}
    in_charge = people["+919600000002"]
    await session.refresh(in_charge, ["districts", "region"])
    assert in_charge.role is Role.district_incharge
    assert in_charge.region is not None and in_charge.region.name == "Awadh"
    assert sorted(d.name for d in in_charge.districts) == ["Barabanki", "Lucknow"]
    assert people["+919600000001"].region_id is None
    assert all(p.active for p in people.values())
    again = await import_people(session, tmp_path / "people.csv")
    assert again.entities["office_bearers"] == EntityCounts()


async def test_hindi_headers_and_role_titles_are_understood_for_office_bearers(session: AsyncSession,
                                                                              tmp_path: Path) -> None:
    await _with_map(session, tmp_path)
    rows = [{"नाम": "परीक्षण पदाधिकारी", "मोबाइल": "96000 00001", "भूमिका": "जिला प्रभारी", "क्षेत्र": "Awadh",
             "जिले": "Lucknow"},
            {"नाम": "परीक्षण महामंत्री", "मोबाइल": "96000 00002", "भूमिका": "संगठन महामंत्री", "क्षेत्र": "",
             "जिले": ""}]

    await import_people(session, write_rows(tmp_path / "people.csv", rows))

    roles = dict((await session.execute(select(OfficeBearer.name, OfficeBearer.role))).all())
    assert roles == {"परीक्षण पदाधिकारी": Role.district_incharge, "परीक्षण महामंत्री": Role.organisation_secretary}


async def test_verifiers_are_imported_by_their_code_or_their_hindi_title(session: AsyncSession,
                                                                        tmp_path: Path) -> None:
    await _with_map(session, tmp_path)
    rows = [person(1, "verifier"), person(2, "सत्यापनकर्ता")]

    await import_people(session, write_rows(tmp_path / "people.csv", rows))

    roles = (await session.execute(select(OfficeBearer.role))).scalars().all()
    assert roles == [Role.verifier, Role.verifier]


@pytest.mark.parametrize("row, column, key", [
    (person(2, "district_incharge", "Awadh", "Lucknow; Atlantis"), "districts", "roster.error.unknown_district"),
    (person(2, "district_incharge", "Awadh", ""), "districts", "roster.error.districts_required"),
    (person(2, "district_incharge", "Awadh", "Agra"), "districts", "roster.error.district_outside_region"),
    (person(2, "president"), "role", "roster.error.unknown_role"),
    (person(2, ""), "role", "roster.error.required"),
    (person(2, region="Bundelkhand"), "region", "roster.error.unknown_region"),
    ({**person(2), "phone": "0522 2234567"}, "phone", "roster.error.invalid_mobile"),
    ({**person(2), "phone": "+91 96000 00001"}, "phone", "roster.error.duplicate_phone"),
    ({**person(2), "name": ""}, "name", "roster.error.required"),
])
async def test_a_bad_office_bearer_row_is_reported_with_its_row_and_column(
        session: AsyncSession, tmp_path: Path, row: dict[str, str], column: str, key: str) -> None:
    await _with_map(session, tmp_path)

    errors = await people_errors(session, tmp_path, [person(1), row])

    assert where(errors) == [(3, column, key)]
    assert await count(session, OfficeBearer) == 0


async def test_office_bearers_before_any_booths_are_refused_for_unknown_districts(session: AsyncSession,
                                                                                  tmp_path: Path) -> None:
    errors = await people_errors(session, tmp_path, [person(1, "district_incharge", "", "Lucknow")])

    assert where(errors) == [(2, "districts", "roster.error.unknown_district")]
    assert "Lucknow" in describe_error(errors[0], "en")


async def test_reimporting_office_bearers_keeps_registrations_and_deactivates_the_missing(
        session: AsyncSession, tmp_path: Path) -> None:
    await _with_map(session, tmp_path)
    await import_people(session, write_rows(tmp_path / "first.csv", [
        person(1), person(2, "district_incharge", "Awadh", "Lucknow"), person(3)]))
    registered = (await session.execute(select(OfficeBearer).where(OfficeBearer.phone == "+919600000002"))).scalar_one()
    registered.telegram_user_id, registered.language, registered.registered_at = 555001, "en", NOW
    await session.flush()

    report = await import_people(session, write_rows(tmp_path / "second.csv", [
        person(1), person(2, "district_incharge", "Awadh", "Lucknow;Barabanki")]))

    assert report.entities["office_bearers"] == EntityCounts(0, 1, 1)
    session.expire_all()
    people = {p.phone: p for p in (await session.execute(select(OfficeBearer))).scalars()}
    kept = people["+919600000002"]
    await session.refresh(kept, ["districts"])
    assert (kept.telegram_user_id, kept.language, kept.registered_at) == (555001, "en", NOW)
    assert sorted(d.name for d in kept.districts) == ["Barabanki", "Lucknow"]
    assert not people["+919600000003"].active

    back = await import_people(session, write_rows(tmp_path / "third.csv", [
        person(1), person(2, "district_incharge", "Awadh", "Lucknow;Barabanki"), person(3)]))

    assert back.entities["office_bearers"] == EntityCounts(0, 1, 0)
    assert (await session.execute(select(OfficeBearer.active).where(
        OfficeBearer.phone == "+919600000003"))).scalar_one()


async def test_an_office_bearer_dry_run_writes_nothing(session: AsyncSession, tmp_path: Path) -> None:
    await _with_map(session, tmp_path)

    report = await import_people(session, write_rows(tmp_path / "people.csv", [
        person(1), person(2, "district_incharge", "Awadh", "Lucknow")]), dry_run=True)

    assert report.entities["office_bearers"].created == 2
    assert await count(session, OfficeBearer) == 0
    actions = (await session.execute(select(AuditEntry.action))).scalars().all()
    assert "roster_import_office_bearers" not in actions
