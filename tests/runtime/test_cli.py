"""The `samvad` command line, run as an administrator would, on the real test database."""

from __future__ import annotations

import asyncio
import csv
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from bot.roster.synthetic import generate_booth_rows, generate_office_bearer_rows, write_csv
from bot.runtime.cli import main
from models import AuditEntry, Booth, BoothPresident, OfficeBearer
from tests.conftest import Database
from tests.factories import make_assignment, make_booth, make_office_bearer, make_report, make_varanasi_booth
from tests.test_privacy import CALLER_PHONE, PRESIDENT_PHONE, build


@pytest.fixture
def samvad(db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Run `samvad …` against the test database, with no config file and no token."""
    monkeypatch.setenv("SAMVAD_DATABASE_URL", db.url)
    monkeypatch.delenv("SAMVAD_TELEGRAM_TOKEN", raising=False)
    monkeypatch.setenv("SAMVAD_CONFIG", str(tmp_path / "absent.toml"))

    async def run(*args: str, answer: str | None = None) -> Result:
        """The command runs in a thread: it starts its own event loop, as it does from a shell; `answer` is
        what the admin types at a prompt."""
        return await asyncio.to_thread(CliRunner().invoke, main, ["--lang", "en", *args], input=answer)

    return run


def _rows(tmp_path: Path) -> tuple[Path, Path, list[dict[str, str]]]:
    booths = generate_booth_rows(seed=3, districts=2, assemblies_per_district=1, mandals_per_assembly=2,
                                 booths_per_mandal=5)
    people = generate_office_bearer_rows(seed=3, booth_rows=booths, state_office_bearers=2,
                                         district_incharges=2)
    write_csv(tmp_path / "booths.csv", booths)
    write_csv(tmp_path / "people.csv", people)
    return tmp_path / "booths.csv", tmp_path / "people.csv", booths


async def _count(db: Database, model: type) -> int:
    async with db.sessions() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_import_then_report_and_export(samvad, db: Database, tmp_path: Path) -> None:
    booths_file, people_file, booth_rows = _rows(tmp_path)

    booths = await samvad("import", "booths", str(booths_file))
    people = await samvad("import", "office-bearers", str(people_file))
    report = await samvad("report")
    export = await samvad("export", "calls", "--output", str(tmp_path / "calls.csv"))

    assert booths.exit_code == 0, booths.output
    assert "Import complete" in booths.output
    assert people.exit_code == 0, people.output
    assert await _count(db, Booth) == len(booth_rows)
    assert await _count(db, OfficeBearer) == 6
    assert report.exit_code == 0, report.output
    assert "📊 Booth Samvad — progress: whole state\nOn " in report.output
    assert "No calls were assigned in this period." in report.output
    assert export.exit_code == 0
    with (tmp_path / "calls.csv").open(encoding="utf-8-sig") as handle:
        assert len(next(csv.reader(handle))) >= 15


async def test_a_bad_row_is_reported_with_its_row_number_and_nothing_is_written(
        samvad, db: Database, tmp_path: Path) -> None:
    booths_file, _, booth_rows = _rows(tmp_path)
    booth_rows[3]["president_phone"] = "0522 2234567"
    write_csv(booths_file, booth_rows)

    result = await samvad("import", "booths", str(booths_file))

    assert result.exit_code == 1
    assert "row 5" in result.output and "president_phone" in result.output
    assert "nothing was changed" in result.output
    assert await _count(db, Booth) == 0


async def test_a_dry_run_writes_nothing(samvad, db: Database, tmp_path: Path) -> None:
    booths_file, _, _ = _rows(tmp_path)

    result = await samvad("import", "booths", str(booths_file), "--dry-run")

    assert result.exit_code == 0
    assert "nothing written" in result.output
    assert await _count(db, Booth) == 0


async def test_push_without_a_token_says_what_is_missing(samvad) -> None:
    result = await samvad("push")

    assert result.exit_code == 2
    assert "SAMVAD_TELEGRAM_TOKEN" in result.output


def test_a_wrong_config_stops_with_one_line_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[outreach]\npush_time = "25:00"\n', encoding="utf-8")

    result = CliRunner().invoke(main, ["--config", str(config), "report"])

    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [result.output.strip()]
    assert "outreach.push_time" in result.output


async def test_the_admin_puts_an_office_bearer_on_leave_and_ends_it(samvad, db: Database, tmp_path: Path) -> None:
    booths_file, people_file, _ = _rows(tmp_path)
    await samvad("import", "booths", str(booths_file))
    await samvad("import", "office-bearers", str(people_file))
    async with db.sessions() as session:
        person = (await session.execute(select(OfficeBearer).where(
            OfficeBearer.role == "district_incharge").limit(1))).scalar_one()

    paused = await samvad("pause", "--phone", person.phone, "--until", "2099-01-01")
    in_range = await samvad("pause", "--phone", person.phone[-10:], "--until",
                            (date.today() + timedelta(days=3)).isoformat())
    resumed = await samvad("resume", "--phone", person.phone)
    unknown = await samvad("resume", "--phone", "9000000001")

    assert paused.exit_code == 1 and "within 90 days" in paused.output
    assert in_range.exit_code == 0 and "Leave recorded" in in_range.output
    assert resumed.exit_code == 0 and "Leave ended" in resumed.output
    assert unknown.exit_code == 2 and "no office-bearer has this number" in unknown.output
    async with db.sessions() as session:
        assert (await session.get_one(OfficeBearer, person.id)).paused_until is None


async def test_the_admin_erases_a_booth_president_on_request_after_confirming(samvad, db: Database) -> None:
    async with db.sessions() as session:
        ramesh_id = (await build(session)).ramesh_id

    declined = await samvad("erase", "--phone", "97000 01111", answer="n\n")
    confirmed = await samvad("erase", "--phone", "97000 01111", answer="y\n")
    again = await samvad("erase", "--phone", PRESIDENT_PHONE, "--yes")

    assert declined.exit_code == 1 and "booth president Ramesh Yadav" in declined.output
    assert confirmed.exit_code == 0, confirmed.output
    assert f'replaced by "erased-{ramesh_id}"' in confirmed.output
    assert "3 call notes and 2 need details removed" in confirmed.output
    assert "Kept, with nothing that identifies the person: assignments, call outcomes" in confirmed.output
    assert again.exit_code == 0 and "nothing to erase" in again.output
    async with db.sessions() as session:
        assert (await session.get_one(BoothPresident, ramesh_id)).name == f"erased-{ramesh_id}"
        erasures = (await session.execute(select(AuditEntry.subject).where(
            AuditEntry.action == "person_erased"))).scalars().all()
        assert erasures == [f"booth_president:{ramesh_id}"]


async def test_the_admin_exports_everything_held_about_an_office_bearer(samvad, db: Database,
                                                                        tmp_path: Path) -> None:
    async with db.sessions() as session:
        kavita_id = (await build(session)).kavita_id
    output = tmp_path / "kavita.json"

    exported = await samvad("export", "person", "--phone", CALLER_PHONE, "--output", str(output))
    unknown = await samvad("export", "person", "--phone", "9000000001", "--output", str(tmp_path / "no.json"))
    invalid = await samvad("erase", "--phone", "0522 2345678")

    assert exported.exit_code == 0, exported.output
    assert f"written to {output}" in exported.output
    [kavita] = json.loads(output.read_text(encoding="utf-8"))["people"]
    assert kavita["office_bearer"]["name"] == "Kavita Singh" and len(kavita["reports_they_made"]) == 3
    assert unknown.exit_code == 1 and "Nothing is held under this number" in unknown.output
    assert not (tmp_path / "no.json").exists()
    assert invalid.exit_code == 2 and "not an Indian mobile number" in invalid.output
    async with db.sessions() as session:
        exports = (await session.execute(select(AuditEntry.subject).where(
            AuditEntry.action == "person_exported"))).scalars().all()
        assert exports == [f"office_bearer:{kavita_id}"]


async def _two_seats(db: Database) -> None:
    """A call reported on 20.11.2026 in Lucknow (seat Lucknow) and in Varanasi (seat Varanasi)."""
    async with db.sessions() as session:
        caller = await make_office_bearer(session, name="Sunita Rawat")
        for slot, booth in enumerate((await make_booth(session), await make_varanasi_booth(session)), start=1):
            await make_report(session, await make_assignment(session, office_bearer=caller, booth=booth,
                                                             day=date(2026, 11, 20), slot=slot))
        await session.commit()


async def test_report_of_one_lok_sabha_seat_by_name_in_any_case(samvad, db: Database) -> None:
    await _two_seats(db)

    seat = await samvad("report", "--date", "2026-11-20", "--lok-sabha", "vARANASI")
    unknown = await samvad("report", "--lok-sabha", "Varanas")

    assert seat.exit_code == 0, seat.output
    assert "Varanasi Lok Sabha" in seat.output and "390 Varanasi Cantt." in seat.output
    assert "Lucknow" not in seat.output
    assert unknown.exit_code != 0
    assert "There is no Lok Sabha seat called «Varanas». Close names: Varanasi" in unknown.output


async def test_report_of_the_focus_seats(samvad, db: Database, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    await _two_seats(db)
    config = tmp_path / "config.toml"
    config.write_text('[outreach]\nfocus_lok_sabha = ["Varanasi"]\n', encoding="utf-8")
    monkeypatch.setenv("SAMVAD_CONFIG", str(config))

    focus = await samvad("report", "--date", "2026-11-20", "--focus")
    both = await samvad("report", "--date", "2026-11-20", "--focus", "--lok-sabha", "Varanasi")

    assert focus.exit_code == 0, focus.output
    assert "focus Lok Sabha seats" in focus.output and "⭐ Varanasi: " in focus.output
    assert "Lucknow" not in focus.output
    assert both.exit_code != 0 and "not both" in both.output
