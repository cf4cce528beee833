"""Synthetic rosters: the real map of Uttar Pradesh, invented people, and files the importer accepts."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.phones import normalise_mobile
from bot.roster.files import read_table
from bot.roster.geodata import DISTRICT_REGION, DISTRICT_SEATS, FOCUS_LOK_SABHA_SEATS, REGION_DISTRICTS
from bot.roster.importer import validate_and_import_booths, validate_and_import_office_bearers
from bot.roster.synthetic import (
    MOBILE_PREFIXES,
    generate_booth_rows,
    generate_office_bearer_rows,
    iter_booth_rows,
    write_csv,
    write_xlsx,
)
from models import Booth, BoothPresident, District, OfficeBearer, OfficeBearerDistrict

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
BOOTH_COLUMNS = ["region", "district", "lok_sabha", "assembly_no", "assembly", "mandal", "booth_no", "booth_name",
                 "president_name", "president_phone", "strength"]
SMALL = {"districts": 6, "assemblies_per_district": 2, "mandals_per_assembly": 2, "booths_per_mandal": 5}


def test_the_map_has_six_regions_all_75_districts_and_403_numbered_seats() -> None:
    seats = [seat for district_seats in DISTRICT_SEATS.values() for seat in district_seats]

    assert list(REGION_DISTRICTS) == ["Paschim", "Braj", "Kanpur-Bundelkhand", "Awadh", "Gorakhpur", "Kashi"]
    assert len(DISTRICT_REGION) == 75 == len(DISTRICT_SEATS)
    assert min(len(districts) for districts in REGION_DISTRICTS.values()) >= 3
    assert sorted(seat.number for seat in seats) == list(range(1, 404))
    assert min(len(district_seats) for district_seats in DISTRICT_SEATS.values()) >= 2
    lok_sabha = {seat.lok_sabha for seat in seats}
    assert len(lok_sabha) == 80
    assert set(FOCUS_LOK_SABHA_SEATS) <= lok_sabha
    assert len(FOCUS_LOK_SABHA_SEATS) == 14


def test_generated_booth_rows_are_deterministic_for_a_seed() -> None:
    assert generate_booth_rows(seed=3, **SMALL) == generate_booth_rows(seed=3, **SMALL)
    assert generate_booth_rows(seed=3, **SMALL) != generate_booth_rows(seed=4, **SMALL)
    assert list(iter_booth_rows(seed=3, **SMALL)) == generate_booth_rows(seed=3, **SMALL)


def test_generated_booths_have_the_requested_shape_and_unique_keys_and_phones() -> None:
    rows = generate_booth_rows(seed=1, **SMALL)

    assert len(rows) == 6 * 2 * 2 * 5
    assert all(list(row) == BOOTH_COLUMNS for row in rows)
    assert len({(row["assembly_no"], row["booth_no"]) for row in rows}) == len(rows)
    assert len({normalise_mobile(row["president_phone"]) for row in rows}) == len(rows)
    assert {row["region"] for row in rows} == set(REGION_DISTRICTS)
    assert all(DISTRICT_REGION[row["district"]] == row["region"] for row in rows)
    assert {row["lok_sabha"] for row in rows} & set(FOCUS_LOK_SABHA_SEATS)
    assert any(row["booth_name"].startswith("प्राथमिक विद्यालय") for row in rows)
    assert any(row["booth_name"].startswith("Primary School") for row in rows)


def test_about_the_requested_share_of_booths_is_weak() -> None:
    rows = generate_booth_rows(seed=2, districts=10, assemblies_per_district=2, mandals_per_assembly=2,
                               booths_per_mandal=50, weak_share=0.3)

    weak = sum(row["strength"] in ("weak", "कमजोर") for row in rows)

    assert 0.25 < weak / len(rows) < 0.35


def test_state_scale_adds_clearly_labelled_seats_with_unique_numbers_when_real_ones_run_out() -> None:
    rows = generate_booth_rows(seed=5, districts=None, assemblies_per_district=6, mandals_per_assembly=1,
                               booths_per_mandal=1)

    seats = {(row["assembly_no"], row["assembly"], row["district"]) for row in rows}
    numbers = [int(number) for number, _, _ in seats]
    assert len(rows) == 75 * 6 == len(seats) == len(set(numbers))
    assert {row["district"] for row in rows} == set(DISTRICT_REGION)
    extra = [(number, name) for number, name, _ in seats if name.startswith("Assembly ")]
    assert extra and all(name == f"Assembly {number}" for number, name in extra)
    real = {(str(seat.number), seat.name) for district_seats in DISTRICT_SEATS.values() for seat in district_seats}
    assert {(number, name) for number, name, _ in seats} - set(extra) <= real


def test_every_mobile_prefix_used_is_an_indian_mobile_range() -> None:
    rng = random.Random(0)
    for prefix in MOBILE_PREFIXES:
        for rest in ("00000000", "99999999", f"{rng.randrange(10 ** 8):08d}"):
            assert normalise_mobile(prefix + rest) == f"+91{prefix}{rest}"


def test_office_bearer_rows_cover_the_roles_and_never_reuse_a_presidents_phone() -> None:
    booths = generate_booth_rows(seed=1, **SMALL)

    people = generate_office_bearer_rows(seed=1, booth_rows=booths, state_office_bearers=4, district_incharges=8,
                                         secretaries=2, admins=1)

    assert Counter(row["role"] for row in people) == {
        "state_office_bearer": 4, "district_incharge": 8, "organisation_secretary": 2, "admin": 1}
    president_phones = {normalise_mobile(row["president_phone"]) for row in booths}
    own_phones = {normalise_mobile(row["phone"]) for row in people}
    assert len(own_phones) == len(people) and not own_phones & president_phones
    booth_districts = {row["district"]: row["region"] for row in booths}
    for row in people:
        charge = [d for d in row["districts"].split("; ") if d]
        assert bool(charge) == (row["role"] == "district_incharge")
        assert all(booth_districts[d] == row["region"] for d in charge)
    covered = {d for row in people for d in row["districts"].split("; ") if d}
    assert covered == set(booth_districts)


def test_csv_and_xlsx_writers_put_the_keys_in_the_header(tmp_path: Path) -> None:
    rows = generate_booth_rows(seed=1, districts=1, assemblies_per_district=1, mandals_per_assembly=1,
                               booths_per_mandal=3)

    assert write_csv(tmp_path / "plain.csv", rows) == 3
    assert write_csv(tmp_path / "excel.csv", rows, bom=True) == 3
    assert write_xlsx(tmp_path / "sheet.xlsx", rows) == 3

    assert (tmp_path / "excel.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert not (tmp_path / "plain.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    for name in ("plain.csv", "excel.csv", "sheet.xlsx"):
        table = read_table(tmp_path / name)
        assert list(table.headers) == BOOTH_COLUMNS
        assert [list(row.cells) for row in table.rows] == [list(row.values()) for row in rows]


async def test_two_thousand_generated_booths_and_their_office_bearers_import_cleanly(
        session: AsyncSession, tmp_path: Path) -> None:
    booths = generate_booth_rows(seed=11, districts=5, assemblies_per_district=2, mandals_per_assembly=4,
                                 booths_per_mandal=50)
    people = generate_office_bearer_rows(seed=11, booth_rows=booths, state_office_bearers=10,
                                         district_incharges=5)
    write_csv(tmp_path / "booths.csv", booths, bom=True)
    write_xlsx(tmp_path / "people.xlsx", people)

    booth_report = await validate_and_import_booths(session, read_table(tmp_path / "booths.csv"), dry_run=False,
                                                    now=NOW)
    people_report = await validate_and_import_office_bearers(session, read_table(tmp_path / "people.xlsx"),
                                                             dry_run=False, now=NOW)

    assert booth_report.entities["booths"].created == len(booths) == 2000
    assert people_report.entities["office_bearers"].created == len(people) == 17
    for model, expected in ((Booth, 2000), (BoothPresident, 2000), (District, 5), (OfficeBearer, 17)):
        assert (await session.execute(select(func.count()).select_from(model))).scalar_one() == expected
    links = (await session.execute(select(func.count()).select_from(OfficeBearerDistrict))).scalar_one()
    assert links >= 5
