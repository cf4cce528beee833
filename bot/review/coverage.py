"""Coverage, the programme's real aim: how many of the active booth presidents somebody actually talked to in
the last 30 and 90 days, by Lok Sabha seat and by district, and which weak booths and booths of focus seats
nobody has talked to for a long time.

A booth president "had a conversation" on a day when a call of that day to them has "talked" as its latest
report (by `reported_at`, ties broken by the higher id, as everywhere in the review). Each question is one
aggregate query whatever the number of booths: the latest-report test is a NOT EXISTS on the
`(assignment_id, reported_at, id)` index, and the scope (districts, seats) is applied inside every query.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, and_, exists, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.errors import DomainError
from bot.outreach.reports import reported_since
from models import (
    AssemblySeat,
    Assignment,
    Booth,
    BoothPresident,
    CallReport,
    District,
    LokSabhaSeat,
    Outcome,
    Strength,
)

RECENT_DAYS = 30
LONGER_DAYS = 90
"""The two windows coverage is measured over, in days ending today."""


def _share(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@dataclass(frozen=True)
class CoverageFigures:
    """Active booth presidents of an area and how many had a conversation in the last 30 and 90 days."""

    presidents: int = 0
    talked_30: int = 0
    talked_90: int = 0

    @property
    def share_30(self) -> int | None:
        """Presidents talked to in the last 30 days, in whole percent of the active ones (None when none)."""
        return _share(self.talked_30, self.presidents)

    @property
    def share_90(self) -> int | None:
        """Presidents talked to in the last 90 days, in whole percent of the active ones (None when none)."""
        return _share(self.talked_90, self.presidents)


@dataclass(frozen=True)
class CoverageRow:
    """The coverage of one Lok Sabha seat or district; `focus` marks a focus seat."""

    id: int
    name: str
    figures: CoverageFigures
    focus: bool = False


@dataclass(frozen=True)
class SilentBooth:
    """A weak booth or a booth of a focus seat that nobody has talked to for `review.silent_days` or more.

    `last_talked` is the day of the last conversation (None: never); `days_silent` the days since (None: never).
    """

    booth_id: int
    booth_no: int
    booth_name: str
    assembly_no: int
    assembly: str
    district: str
    lok_sabha: str
    weak: bool
    focus: bool
    last_talked: date | None
    days_silent: int | None


@dataclass(frozen=True)
class CoverageReport:
    """Coverage of a scope: totals, per Lok Sabha seat, per district, and the silent weak and focus booths,
    longest silent first. `charge` says the scope is a district in-charge's districts, not the whole state."""

    today: date
    silent_days: int
    charge: bool
    totals: CoverageFigures
    by_seat: tuple[CoverageRow, ...]
    by_district: tuple[CoverageRow, ...]
    silent: tuple[SilentBooth, ...]


def map_conditions(*, district_ids: Collection[int] | None = None, lok_sabha_ids: Collection[int] | None = None,
                   assembly_id: int | None = None) -> list[ColumnElement[bool]]:
    """Conditions on `AssemblySeat` that keep the booths of some districts, Lok Sabha seats or one assembly seat
    (every booth when all are None)."""
    conditions: list[ColumnElement[bool]] = []
    if district_ids is not None:
        conditions.append(AssemblySeat.district_id.in_(district_ids))
    if lok_sabha_ids is not None:
        conditions.append(AssemblySeat.lok_sabha_id.in_(lok_sabha_ids))
    if assembly_id is not None:
        conditions.append(AssemblySeat.id == assembly_id)
    return conditions


async def focus_seat_ids(session: AsyncSession, names: Collection[str]) -> frozenset[int]:
    """The ids of the Lok Sabha seats named as focus seats in the settings (names matched case-insensitively;
    a name that matches no seat is ignored)."""
    if not names:
        return frozenset()
    lowered = [name.casefold() for name in names]
    rows = (await session.execute(select(LokSabhaSeat.id).where(func.lower(LokSabhaSeat.name).in_(lowered))))
    return frozenset(rows.scalars())


class UnknownSeat(DomainError):
    """No Lok Sabha seat has the name asked for; `close` lists the names that look like it."""

    key = "cli.report.unknown_seat"


async def lok_sabha_by_name(session: AsyncSession, name: str) -> int:
    """The id of the Lok Sabha seat called `name` (case-insensitively); raises `UnknownSeat` with up to three
    close names otherwise."""
    seats = {row.name.casefold(): row for row in (await session.execute(select(LokSabhaSeat.id, LokSabhaSeat.name)))}
    found = seats.get(name.strip().casefold())
    if found is not None:
        return int(found.id)
    close = difflib.get_close_matches(name.strip().casefold(), list(seats), n=3, cutoff=0.5)
    raise UnknownSeat(name=name, close=", ".join(seats[key].name for key in close))


def _latest_report_talked() -> ColumnElement[bool]:
    """A condition on `CallReport`: it says "talked" and no later report on the same call exists."""
    newer = aliased(CallReport)
    later = or_(newer.reported_at > CallReport.reported_at,
                and_(newer.reported_at == CallReport.reported_at, newer.id > CallReport.id))
    return and_(CallReport.outcome == Outcome.talked,
                ~exists().where(newer.assignment_id == CallReport.assignment_id, later))


def _conversations(key: Any, *, today: date, since: date | None,
                   conditions: Collection[ColumnElement[bool]]) -> Subquery:
    """The last day of a conversation per `key` (booth president or booth id of `Assignment`), on booths
    meeting `conditions`, from `since` (from the start when None) to `today`."""
    query = (select(key.label("key"), func.max(Assignment.day).label("last"))
             .join(CallReport, CallReport.assignment_id == Assignment.id)
             .join(Booth, Booth.id == Assignment.booth_id)
             .join(AssemblySeat, AssemblySeat.id == Booth.assembly_id)
             .where(Assignment.day <= today, _latest_report_talked(), *conditions)
             .group_by(key))
    if since is not None:
        query = query.where(Assignment.day >= since, reported_since(since))
    return query.subquery("conversations")


def _figures_query(*, today: date, conditions: Collection[ColumnElement[bool]]) -> Select[Any]:
    """The three coverage aggregates over active booth presidents of booths meeting `conditions`; add columns,
    joins and GROUP BY to split them."""
    talks = _conversations(Assignment.booth_president_id, today=today,
                           since=today - timedelta(days=LONGER_DAYS - 1), conditions=conditions)
    recent = today - timedelta(days=RECENT_DAYS - 1)
    return (select(func.count(BoothPresident.id).label("presidents"),
                   func.count().filter(talks.c.last >= recent).label("talked_30"),
                   func.count(talks.c.last).label("talked_90"))
            .select_from(BoothPresident)
            .join(Booth, Booth.id == BoothPresident.booth_id)
            .join(AssemblySeat, AssemblySeat.id == Booth.assembly_id)
            .outerjoin(talks, talks.c.key == BoothPresident.id)
            .where(BoothPresident.active.is_(True), *conditions))


def _figures(row: Any) -> CoverageFigures:
    return CoverageFigures(presidents=row.presidents, talked_30=row.talked_30, talked_90=row.talked_90)


async def coverage_figures(session: AsyncSession, *, today: date, district_ids: Collection[int] | None = None,
                           lok_sabha_ids: Collection[int] | None = None,
                           assembly_id: int | None = None) -> CoverageFigures:
    """Coverage of the booths of some districts, Lok Sabha seats or one assembly seat (all when None), for the
    line above a progress view's figures."""
    conditions = map_conditions(district_ids=district_ids, lok_sabha_ids=lok_sabha_ids, assembly_id=assembly_id)
    return _figures((await session.execute(_figures_query(today=today, conditions=conditions))).one())


async def _by_seat(session: AsyncSession, *, today: date, conditions: list[ColumnElement[bool]],
                   focus_ids: frozenset[int]) -> tuple[CoverageRow, ...]:
    rows = (await session.execute(
        _figures_query(today=today, conditions=conditions)
        .add_columns(LokSabhaSeat.id, LokSabhaSeat.name)
        .join(LokSabhaSeat, LokSabhaSeat.id == AssemblySeat.lok_sabha_id)
        .group_by(LokSabhaSeat.id, LokSabhaSeat.name)
        .order_by(LokSabhaSeat.name, LokSabhaSeat.id))).all()
    return tuple(CoverageRow(row.id, row.name, _figures(row), focus=row.id in focus_ids) for row in rows)


async def _by_district(session: AsyncSession, *, today: date,
                       conditions: list[ColumnElement[bool]]) -> tuple[CoverageRow, ...]:
    rows = (await session.execute(
        _figures_query(today=today, conditions=conditions)
        .add_columns(District.id, District.name)
        .join(District, District.id == AssemblySeat.district_id)
        .group_by(District.id, District.name)
        .order_by(District.name, District.id))).all()
    return tuple(CoverageRow(row.id, row.name, _figures(row)) for row in rows)


async def silent_booths(session: AsyncSession, *, today: date, silent_days: int,
                        district_ids: Collection[int] | None, focus_ids: frozenset[int]) -> tuple[SilentBooth, ...]:
    """Weak booths and booths of focus seats, with an active president, that nobody has talked to in the last
    `silent_days` days: never-called ones first, then the longest silent; one query."""
    conditions = map_conditions(district_ids=district_ids)
    watched = or_(Booth.strength == Strength.weak,
                  AssemblySeat.lok_sabha_id.in_(focus_ids) if focus_ids else false())
    last = _conversations(Assignment.booth_id, today=today, since=None, conditions=[*conditions, watched])
    has_president = (select(BoothPresident.id)
                     .where(BoothPresident.booth_id == Booth.id, BoothPresident.active.is_(True)).exists())
    rows = (await session.execute(
        select(Booth.id, Booth.number, Booth.name, Booth.strength, AssemblySeat.number.label("assembly_no"),
               AssemblySeat.name.label("assembly"), District.name.label("district"),
               LokSabhaSeat.id.label("lok_sabha_id"), LokSabhaSeat.name.label("lok_sabha"), last.c.last)
        .join(AssemblySeat, AssemblySeat.id == Booth.assembly_id)
        .join(District, District.id == AssemblySeat.district_id)
        .join(LokSabhaSeat, LokSabhaSeat.id == AssemblySeat.lok_sabha_id)
        .outerjoin(last, last.c.key == Booth.id)
        .where(watched, has_president, *conditions,
               or_(last.c.last.is_(None), last.c.last <= today - timedelta(days=silent_days)))
        .order_by(last.c.last.is_not(None), last.c.last, AssemblySeat.number, Booth.number))).all()
    return tuple(SilentBooth(
        booth_id=row.id, booth_no=row.number, booth_name=row.name, assembly_no=row.assembly_no,
        assembly=row.assembly, district=row.district, lok_sabha=row.lok_sabha, weak=row.strength is Strength.weak,
        focus=row.lok_sabha_id in focus_ids, last_talked=row.last,
        days_silent=None if row.last is None else (today - row.last).days) for row in rows)


async def coverage_report(session: AsyncSession, *, district_ids: Collection[int] | None, focus: Collection[str],
                          today: date, silent_days: int) -> CoverageReport:
    """Coverage of the booths of `district_ids` (every district when None) as of `today`: totals, per Lok
    Sabha seat (the `focus` seats marked), per district, and the weak and focus booths silent for
    `silent_days` days or more. Who may see which districts is the caller's business (`bot.access`)."""
    conditions = map_conditions(district_ids=district_ids)
    focus_ids = await focus_seat_ids(session, focus)
    totals = _figures((await session.execute(_figures_query(today=today, conditions=conditions))).one())
    return CoverageReport(
        today=today, silent_days=silent_days, charge=district_ids is not None, totals=totals,
        by_seat=await _by_seat(session, today=today, conditions=conditions, focus_ids=focus_ids),
        by_district=await _by_district(session, today=today, conditions=conditions),
        silent=await silent_booths(session, today=today, silent_days=silent_days, district_ids=district_ids,
                                   focus_ids=focus_ids))
