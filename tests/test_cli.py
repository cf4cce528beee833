"""The `samvad` command line, run as an administrator would, on the real test database."""

from __future__ import annotations

import asyncio
import csv
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from bot.cli import main
from bot.synthetic import generate_booth_rows, generate_office_bearer_rows, write_csv
from models import Booth, OfficeBearer
from tests.conftest import Database


@pytest.fixture
def samvad(db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Run `samvad …` against the test database, with no config file and no token."""
    monkeypatch.setenv("SAMVAD_DATABASE_URL", db.url)
    monkeypatch.delenv("SAMVAD_TELEGRAM_TOKEN", raising=False)
    monkeypatch.setenv("SAMVAD_CONFIG", str(tmp_path / "absent.toml"))

    async def run(*args: str) -> Result:
        """The command runs in a thread: it starts its own event loop, as it does from a shell."""
        return await asyncio.to_thread(CliRunner().invoke, main, ["--lang", "en", *args])

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
