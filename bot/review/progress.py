"""Progress views for the organisation secretary and district in-charges: who was reached, who reported,
what the calls found, and what the booths need.

Every figure is computed by the database with joins and GROUP BY over the period's assignments, so a
summary costs a handful of aggregate queries however many calls were made. An assignment's outcome is its
latest call report (by `reported_at`, ties broken by the higher id). Who may see which districts is the
caller's business: this module only takes `district_ids`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta, tzinfo
from itertools import groupby
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Label,
    RowMapping,
    Select,
    String,
    Subquery,
    and_,
    cast,
    func,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.access import Viewer
from bot.errors import DomainError
from bot.outreach.reports import reported_since
from bot.review.coverage import CoverageFigures, coverage_figures, focus_seat_ids, map_conditions
from bot.review.flags import flags_for_period
from bot.review.periods import Level, Period, PeriodKind
from models import (
    NOT_CONNECTED,
    AssemblySeat,
    Assignment,
    BackCheck,
    Booth,
    BoothPresident,
    CallReport,
    DailyCounts,
    Delivery,
    DeliveryStatus,
    District,
    LokSabhaSeat,
    Need,
    NeedCategory,
    NeedStatus,
    OfficeBearer,
    OfficeBearerDistrict,
    Outcome,
    Region,
    Role,
    RollupMark,
    Strength,
)


@dataclass(frozen=True)
class Counts:
    """How the calls of some area went; outcome fields are named after `Outcome` values."""

    assigned: int = 0
    delivered: int = 0
    unreachable: int = 0
    reported: int = 0
    pending: int = 0
    talked: int = 0
    no_answer: int = 0
    busy: int = 0
    switched_off: int = 0
    wrong_number: int = 0
    not_president: int = 0
    call_back: int = 0
    overdue: int = 0
    asked: int = 0
    checked: int = 0
    confirmed: int = 0
    denied: int = 0

    def __add__(self, other: Counts) -> Counts:
        """Field-by-field sum, to roll districts up into regions and totals."""
        return Counts(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    @property
    def conversations(self) -> int:
        """Calls whose latest report says the office-bearer talked with the booth president: the headline."""
        return self.talked

    @property
    def not_connected(self) -> int:
        """Calls whose latest report is an attempt that did not connect (no answer, busy, switched off)."""
        return sum(getattr(self, outcome.value) for outcome in NOT_CONNECTED)

    @property
    def number_wrong(self) -> int:
        """Calls that found the number wrong or the person no longer the booth president."""
        return self.wrong_number + self.not_president

    @property
    def unreported(self) -> int:
        """Assigned calls with no report at all (whether or not the morning message arrived)."""
        return self.assigned - self.reported

    @property
    def conversation_percent(self) -> int | None:
        """The headline share: conversations of all assigned calls, in whole percent (None if nothing was
        assigned). Attempts that did not connect, wrong numbers and unreported calls never count in it."""
        return _percent(self.conversations, self.assigned)


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@dataclass(frozen=True)
class UnreportedCaller:
    """An office-bearer whose delivered calls are not all reported."""

    name: str
    role: Role
    districts: tuple[str, ...]
    region: str | None
    unreported: int


@dataclass(frozen=True)
class DisconnectedCaller:
    """An office-bearer who reported calls in the period but whose reported calls all did not connect: busy
    reporting, nobody spoken to. `calls` is how many calls they reported, `attempts` how many reports in all."""

    name: str
    role: Role
    calls: int
    attempts: int


@dataclass(frozen=True)
class UnreachableCaller:
    """An office-bearer whose morning message could not be delivered, for how many days, and why."""

    name: str
    role: Role
    reason: str | None
    days: int


@dataclass(frozen=True)
class WeakBoothHeard:
    """A call that found the party weak in a booth, with the needs the booth raised on it."""

    booth_no: int
    booth_name: str
    assembly_no: int
    assembly: str
    district: str
    day: date
    needs: tuple[NeedCategory, ...]


@dataclass(frozen=True)
class NeedTally:
    """Needs of one category raised in the period, and how many are not yet resolved."""

    category: NeedCategory
    raised: int
    still_open: int


@dataclass(frozen=True)
class CallScope:
    """The assignments a view covers: a subquery of the period's assignments, with each booth's district."""

    start: date
    end: date
    assignments: Subquery
    all_districts: bool
    overdue_before: date | None = None

    def delivery(self) -> ColumnElement[bool]:
        """Join condition from an assignment to its office-bearer's morning message of that day."""
        scoped = self.assignments.c
        return and_(Delivery.day.between(self.start, self.end), Delivery.day == scoped.day,
                    Delivery.office_bearer_id == scoped.office_bearer_id)

    def reports(self) -> ColumnElement[bool]:
        """Condition on `CallReport` that keeps every report the scope's assignments can have (see
        `reported_since`); the join to the assignments still decides which of them belong."""
        return reported_since(self.start)


def call_scope(*, start: date, end: date, district_ids: Collection[int] | None,
               office_bearer_id: int | None = None, overdue_before: date | None = None,
               lok_sabha_ids: Collection[int] | None = None, assembly_id: int | None = None) -> CallScope:
    """The assignments of `start`..`end` on booths of `district_ids` (all districts when None).

    With `office_bearer_id`, only that person's calls; with `lok_sabha_ids` or `assembly_id`, only calls to
    booths of those Lok Sabha seats or that assembly seat. Calls of days before `overdue_before` that nobody
    reported are counted as overdue (none are when it is None).
    """
    assignments = (select(Assignment.id, Assignment.day, Assignment.slot, Assignment.office_bearer_id,
                          Assignment.booth_id, Assignment.booth_president_id, AssemblySeat.district_id,
                          Booth.assembly_id, AssemblySeat.lok_sabha_id)
                   .join(Booth, Assignment.booth_id == Booth.id)
                   .join(AssemblySeat, Booth.assembly_id == AssemblySeat.id)
                   .where(Assignment.day.between(start, end)))
    on_map = map_conditions(district_ids=district_ids, lok_sabha_ids=lok_sabha_ids, assembly_id=assembly_id)
    if on_map:
        assignments = assignments.where(*on_map)
    if office_bearer_id is not None:
        assignments = assignments.where(Assignment.office_bearer_id == office_bearer_id)
    return CallScope(start=start, end=end, assignments=assignments.subquery("scoped"),
                     all_districts=not on_map and office_bearer_id is None,
                     overdue_before=overdue_before)


def latest_reports(scope: CallScope) -> Subquery:
    """The latest report on each reported assignment of the scope, with how many reports were made on it.

    For some districts only, their assignments' reports alone are ranked; for all of them, joining every
    report of the period to its assignment first would cost more than it saves.
    """
    newest_first = (CallReport.reported_at.desc(), CallReport.id.desc())
    ranked = (select(CallReport.assignment_id, CallReport.id, CallReport.outcome, CallReport.wellbeing,
                     CallReport.booth_position, CallReport.notes, CallReport.reported_at,
                     func.row_number().over(partition_by=CallReport.assignment_id, order_by=newest_first)
                     .label("rank"),
                     func.count().over(partition_by=CallReport.assignment_id).label("attempts"))
              .where(scope.reports()))
    if not scope.all_districts:
        ranked = ranked.join(scope.assignments, scope.assignments.c.id == CallReport.assignment_id)
    ranked_reports = ranked.subquery("ranked")
    return select(ranked_reports).where(ranked_reports.c.rank == 1).subquery("latest")


def _count_columns(scope: CallScope, latest: Subquery) -> list[Label[int]]:
    """One aggregate per `Counts` field over assignments joined to their delivery and latest report."""
    delivered = Delivery.status == DeliveryStatus.sent
    reported = latest.c.assignment_id.is_not(None)
    overdue_before = scope.overdue_before or scope.start
    return [
        func.count().label("assigned"),
        func.count().filter(delivered).label("delivered"),
        func.count().filter(Delivery.status == DeliveryStatus.failed).label("unreachable"),
        func.count().filter(reported).label("reported"),
        func.count().filter(and_(delivered, ~reported)).label("pending"),
        *(func.count().filter(latest.c.outcome == outcome).label(outcome.value) for outcome in Outcome),
        func.count().filter(and_(scope.assignments.c.day < overdue_before, ~reported)).label("overdue"),
        func.count(BackCheck.asked_at).label("asked"),
        func.count(BackCheck.answered_at).label("checked"),
        func.count().filter(BackCheck.called.is_(True)).label("confirmed"),
        func.count().filter(BackCheck.called.is_(False)).label("denied"),
    ]


COUNTED = tuple(f.name for f in fields(Counts))


def counts_query(scope: CallScope) -> Select[*tuple[Any, ...]]:
    """The `Counts` aggregates over the scope's assignments; add columns, joins and GROUP BY to split them."""
    scoped = scope.assignments
    latest = latest_reports(scope)
    return (select(*_count_columns(scope, latest))
            .select_from(scoped)
            .outerjoin(Delivery, scope.delivery())
            .outerjoin(latest, latest.c.assignment_id == scoped.c.id)
            .outerjoin(BackCheck, and_(BackCheck.assignment_id == scoped.c.id,
                                       BackCheck.attempted_only.is_(False))))  # checks of conversations only


def _counts(row: RowMapping) -> Counts:
    return Counts(**{name: int(row[name] or 0) for name in COUNTED})  # sums are NULL over no rows


async def _unreported_callers(session: AsyncSession, scope: CallScope) -> tuple[UnreportedCaller, ...]:
    """Callers with delivered calls not reported, one row per district in their charge, folded here."""
    scoped = scope.assignments
    per_person = (select(scoped.c.office_bearer_id, func.count().label("unreported"))
                  .join(Delivery, and_(scope.delivery(), Delivery.status == DeliveryStatus.sent))
                  .where(~select(CallReport.id)
                         .where(scope.reports(), CallReport.assignment_id == scoped.c.id).exists())
                  .group_by(scoped.c.office_bearer_id)
                  .subquery("per_person"))
    charge = aliased(District)
    rows = (await session.execute(
        select(OfficeBearer.id, OfficeBearer.name, OfficeBearer.role, Region.name.label("region"),
               charge.name.label("charge"), per_person.c.unreported)
        .join(per_person, per_person.c.office_bearer_id == OfficeBearer.id)
        .outerjoin(Region, Region.id == OfficeBearer.region_id)
        .outerjoin(OfficeBearerDistrict, OfficeBearerDistrict.office_bearer_id == OfficeBearer.id)
        .outerjoin(charge, charge.id == OfficeBearerDistrict.district_id)
        .order_by(per_person.c.unreported.desc(), OfficeBearer.name, OfficeBearer.id, charge.name))).all()
    callers = []
    for _, person_rows in groupby(rows, key=lambda row: row.id):
        charges = list(person_rows)
        first = charges[0]
        callers.append(UnreportedCaller(
            name=first.name, role=first.role, region=first.region, unreported=first.unreported,
            districts=tuple(row.charge for row in charges if row.charge is not None)))
    return tuple(callers)


async def _disconnected_callers(session: AsyncSession, scope: CallScope) -> tuple[DisconnectedCaller, ...]:
    """Callers with at least one reported call in the scope whose every reported call did not connect (by its
    latest report), most attempts first."""
    scoped, latest = scope.assignments, latest_reports(scope)
    calls, attempts = func.count().label("calls"), func.sum(latest.c.attempts).label("attempts")
    rows = (await session.execute(
        select(OfficeBearer.name, OfficeBearer.role, calls, attempts)
        .select_from(scoped)
        .join(latest, latest.c.assignment_id == scoped.c.id)
        .join(OfficeBearer, OfficeBearer.id == scoped.c.office_bearer_id)
        .group_by(OfficeBearer.id, OfficeBearer.name, OfficeBearer.role)
        .having(func.count().filter(latest.c.outcome.not_in(NOT_CONNECTED)) == 0)
        .order_by(attempts.desc(), OfficeBearer.name, OfficeBearer.id))).all()
    return tuple(DisconnectedCaller(name=row.name, role=row.role, calls=row.calls, attempts=int(row.attempts))
                 for row in rows)


async def _unreachable_callers(session: AsyncSession, scope: CallScope) -> tuple[UnreachableCaller, ...]:
    days = func.count().label("days")
    had_calls_in_scope = select(scope.assignments.c.id).where(scope.delivery()).exists()
    rows = (await session.execute(
        select(OfficeBearer.name, OfficeBearer.role, Delivery.error, days)
        .join(OfficeBearer, OfficeBearer.id == Delivery.office_bearer_id)
        .where(Delivery.day.between(scope.start, scope.end), Delivery.status == DeliveryStatus.failed,
               had_calls_in_scope)
        .group_by(OfficeBearer.id, OfficeBearer.name, OfficeBearer.role, Delivery.error)
        .order_by(days.desc(), OfficeBearer.name, OfficeBearer.id, Delivery.error))).all()
    return tuple(UnreachableCaller(name=row.name, role=row.role, reason=row.error, days=row.days)
                 for row in rows)


async def _weak_booths_heard(session: AsyncSession, scope: CallScope) -> tuple[WeakBoothHeard, ...]:
    """Reports that found the booth weak, one row per need raised on them, folded here."""
    scoped = scope.assignments
    rows = (await session.execute(
        select(CallReport.id, Booth.number, Booth.name, AssemblySeat.number.label("assembly_no"),
               AssemblySeat.name.label("assembly"), District.name.label("district"), scoped.c.day,
               Need.category)
        .join(scoped, scoped.c.id == CallReport.assignment_id)
        .join(Booth, Booth.id == scoped.c.booth_id)
        .join(AssemblySeat, AssemblySeat.id == Booth.assembly_id)
        .join(District, District.id == AssemblySeat.district_id)
        .outerjoin(Need, Need.call_report_id == CallReport.id)
        .where(scope.reports(), CallReport.booth_position == Strength.weak)
        .order_by(District.name, AssemblySeat.number, Booth.number, scoped.c.day, CallReport.id,
                  Need.id))).all()
    booths = []
    for _, report_rows in groupby(rows, key=lambda row: row.id):
        needs = list(report_rows)
        first = needs[0]
        booths.append(WeakBoothHeard(
            booth_no=first.number, booth_name=first.name, assembly_no=first.assembly_no,
            assembly=first.assembly, district=first.district, day=first.day,
            needs=tuple(row.category for row in needs if row.category is not None)))
    return tuple(booths)


async def need_tallies(session: AsyncSession, scope: CallScope) -> tuple[NeedTally, ...]:
    """Needs raised on the scope's calls by category (only categories raised, in `NeedCategory` order)."""
    rows = (await session.execute(
        select(Need.category, func.count().label("raised"),
               func.count().filter(Need.status != NeedStatus.resolved).label("still_open"))
        .join(CallReport, CallReport.id == Need.call_report_id)
        .join(scope.assignments, scope.assignments.c.id == CallReport.assignment_id)
        .where(scope.reports())
        .group_by(Need.category))).all()
    order = list(NeedCategory)
    return tuple(sorted((NeedTally(category=row.category, raised=row.raised, still_open=row.still_open)
                         for row in rows), key=lambda tally: order.index(tally.category)))


FRESH_NEED_DAYS = 7
OLD_NEED_DAYS = 30


class NotVisible(DomainError):
    """The area asked for is outside what the viewer's role lets them see."""

    key = "review.not_yours"


class UnknownArea(DomainError):
    """The area asked for does not exist (a button from an older roster or a forged one)."""

    key = "button.stale"


@dataclass(frozen=True)
class Area:
    """The place a view is about, its name, and the view one level up (None at the top).

    At the state level, `charge` says that only the districts in the viewer's charge are counted.
    """

    level: Level
    id: int
    name: str | None
    parent: tuple[Level, int] | None
    charge: bool = False


@dataclass(frozen=True)
class Registration:
    """How many of the active booth presidents of some districts have joined the bot (so a back-check can
    reach them on Telegram)."""

    registered: int = 0
    presidents: int = 0

    def __add__(self, other: Registration) -> Registration:
        """Both counts summed, to roll districts up."""
        return Registration(self.registered + other.registered, self.presidents + other.presidents)

    @property
    def percent(self) -> int | None:
        """Registered of all active booth presidents, in whole percent (None when there are none)."""
        return _percent(self.registered, self.presidents)


@dataclass(frozen=True)
class ProgressRow:
    """The counts of one region, district, office-bearer, Lok Sabha seat (`focus` marks a focus seat), assembly
    seat or booth inside a view; district rows also carry their booth presidents' registration with the bot."""

    id: int
    name: str
    counts: Counts
    focus: bool = False
    registration: Registration | None = None


@dataclass(frozen=True)
class OpenNeeds:
    """Needs of one category not yet resolved, by age: under 7 days, 7 to 30 days, over 30 days."""

    category: NeedCategory
    fresh: int
    aging: int
    old: int

    @property
    def total(self) -> int:
        """All open needs of the category."""
        return self.fresh + self.aging + self.old


@dataclass(frozen=True)
class Trend:
    """Change of the conversation share against the previous period, in percentage points (None when either
    period had no calls)."""

    conversations: int | None


def _change(now: int | None, before: int | None) -> int | None:
    return None if now is None or before is None else now - before


@dataclass(frozen=True)
class Attention:
    """Who and what in a view needs someone's attention: callers with calls unreported, callers whose reported
    calls all did not connect, callers who cannot be reached, weak booths heard in the period, and the needs
    raised on its calls."""

    unreported: tuple[UnreportedCaller, ...] = ()
    disconnected: tuple[DisconnectedCaller, ...] = ()
    unreachable: tuple[UnreachableCaller, ...] = ()
    weak_booths: tuple[WeakBoothHeard, ...] = ()
    needs_raised: tuple[NeedTally, ...] = ()


@dataclass(frozen=True)
class ProgressView:
    """Progress of one area over one period, split one level down, with the area's open needs and what
    needs attention. Back-checks are in the counts; `flagged` (calls with a plausibility flag) is counted for
    one region's or district's single day only: flags are judged on all the period's calls, which at the state
    or over weeks costs seconds, so those views point to `/flags` instead (benchmarks/README.md)."""

    area: Area
    period: Period
    totals: Counts
    previous: Counts
    rows: tuple[ProgressRow, ...]
    rows_level: Level | None
    open_needs: tuple[OpenNeeds, ...]
    attention: Attention = Attention()
    flagged: int | None = None
    coverage: CoverageFigures | None = None
    registration: Registration | None = None

    @property
    def trend(self) -> Trend:
        """The conversation share against the previous period of the same length."""
        return Trend(conversations=_change(self.totals.conversation_percent, self.previous.conversation_percent))


@dataclass(frozen=True)
class Target:
    """What a view counts: its area, the districts or person its calls are limited to, and its rows; for
    views along the electoral map also the Lok Sabha seats or the assembly seat, and which seats are focus
    seats."""

    area: Area
    district_ids: Collection[int] | None
    office_bearer_id: int | None
    rows_level: Level | None
    lok_sabha_ids: Collection[int] | None = None
    assembly_id: int | None = None
    focus_ids: frozenset[int] = frozenset()


async def area_target(session: AsyncSession, viewer: Viewer, level: Level, area_id: int, *,
                      focus: Collection[str] = ()) -> Target:
    """What `viewer` would see of an area; raises `NotVisible` or `UnknownArea`.

    Whether the role allows the area is checked before the area is looked up, so a refusal says nothing
    about whether it exists. `focus` names the focus Lok Sabha seats (`outreach.focus_lok_sabha`).
    """
    if level is Level.person:
        if area_id != viewer.person_id:
            raise NotVisible
        return Target(Area(level, area_id, viewer.name, None), None, area_id, None)
    if viewer.own_work_only or (level is Level.region and not viewer.sees_all):
        raise NotVisible
    if level in SEAT_LEVELS:
        return await _seat_target(session, viewer, level, area_id, await focus_seat_ids(session, focus))
    if level is Level.state:
        if area_id != 0:
            raise UnknownArea
        rows_level = Level.region if viewer.sees_all else Level.district
        return Target(Area(level, 0, None, None, charge=not viewer.sees_all), viewer.district_ids, None, rows_level)
    if level is Level.region:
        found = (await session.execute(select(Region.name, District.id).outerjoin(District)
                                       .where(Region.id == area_id))).all()
        if not found:
            raise UnknownArea
        districts = [row.id for row in found if row.id is not None]
        return Target(Area(level, area_id, found[0].name, (Level.state, 0)), districts, None, Level.district)
    if viewer.district_ids is not None and area_id not in viewer.district_ids:
        raise NotVisible
    district = await session.get(District, area_id)
    if district is None:
        raise UnknownArea
    if viewer.sees_all:
        parent: tuple[Level, int] | None = (Level.region, district.region_id)
    else:
        parent = (Level.state, 0) if viewer.home()[0] is Level.state else None
    return Target(Area(level, area_id, district.name, parent), [area_id], None, Level.person)


SEAT_LEVELS = (Level.seats, Level.focus, Level.lok_sabha, Level.assembly, Level.booth)
"""Levels along the electoral map: the state by Lok Sabha seat or its focus seats, a seat, an assembly seat
(and booths, which are only rows)."""


async def _seat_target(session: AsyncSession, viewer: Viewer, level: Level, area_id: int,
                       focus_ids: frozenset[int]) -> Target:
    """What `viewer` would see of the state by seat, the focus seats, a Lok Sabha seat or an assembly seat.

    A district in-charge sees the seats holding booths of their districts, counting only those booths.
    """
    charge = not viewer.sees_all
    if level in (Level.seats, Level.focus):
        if area_id != 0:
            raise UnknownArea
        seats = focus_ids if level is Level.focus else None
        return Target(Area(level, 0, None, (Level.state, 0), charge=charge), viewer.district_ids, None,
                      Level.lok_sabha, lok_sabha_ids=seats, focus_ids=focus_ids)
    if level is Level.booth:
        raise UnknownArea
    if viewer.district_ids is not None:
        seat_column = AssemblySeat.lok_sabha_id if level is Level.lok_sabha else AssemblySeat.id
        if not (await session.execute(select(AssemblySeat.id).where(
                seat_column == area_id, AssemblySeat.district_id.in_(viewer.district_ids)).limit(1))).first():
            raise NotVisible
    if level is Level.lok_sabha:
        seat = await session.get(LokSabhaSeat, area_id)
        if seat is None:
            raise UnknownArea
        up = Level.focus if area_id in focus_ids else Level.seats
        return Target(Area(level, area_id, seat.name, (up, 0), charge=charge), viewer.district_ids, None,
                      Level.assembly, lok_sabha_ids=[area_id], focus_ids=focus_ids)
    assembly = await session.get(AssemblySeat, area_id)
    if assembly is None:
        raise UnknownArea
    return Target(Area(level, area_id, f"{assembly.number} {assembly.name}", (Level.lok_sabha, assembly.lok_sabha_id),
                       charge=charge),
                  viewer.district_ids, None, Level.booth, assembly_id=area_id, focus_ids=focus_ids)


def _numbered(number: Any, name: Any) -> Label[str]:
    """"172 Lucknow North": an assembly seat's or booth's number and name as one row name."""
    return (cast(number, String) + " " + name).label("name")


def _map_rows(query: Select[Any], scoped: Subquery, rows_level: Level) -> tuple[Select[Any], tuple[Any, ...]]:
    """The counts query split by Lok Sabha seat (by name), assembly seat or booth (by number)."""
    if rows_level is Level.lok_sabha:
        return (query.add_columns(LokSabhaSeat.id.label("key"), LokSabhaSeat.name.label("name"))
                .join(LokSabhaSeat, LokSabhaSeat.id == scoped.c.lok_sabha_id), (LokSabhaSeat.id, LokSabhaSeat.name))
    if rows_level is Level.assembly:
        return (query.add_columns(AssemblySeat.id.label("key"), _numbered(AssemblySeat.number, AssemblySeat.name))
                .join(AssemblySeat, AssemblySeat.id == scoped.c.assembly_id),
                (AssemblySeat.id, AssemblySeat.number, AssemblySeat.name))
    return (query.add_columns(Booth.id.label("key"), _numbered(Booth.number, Booth.name))
            .join(Booth, Booth.id == scoped.c.booth_id), (Booth.id, Booth.number, Booth.name))


async def _with_every_seat(session: AsyncSession, target: Target,
                           rows: tuple[ProgressRow, ...]) -> tuple[ProgressRow, ...]:
    """Seat rows of a view along the map, with the seats nobody called in the period added at nought, so a
    silent seat shows; Lok Sabha seats marked when they are focus seats. Booth rows stay as they are."""
    if target.rows_level not in (Level.lok_sabha, Level.assembly):
        return rows
    on_map = map_conditions(district_ids=target.district_ids, lok_sabha_ids=target.lok_sabha_ids)
    if target.rows_level is Level.lok_sabha:
        seats = (select(LokSabhaSeat.id, LokSabhaSeat.name.label("name"))
                 .join(AssemblySeat, AssemblySeat.lok_sabha_id == LokSabhaSeat.id)
                 .order_by(LokSabhaSeat.name, LokSabhaSeat.id))
    else:
        seats = select(AssemblySeat.id, _numbered(AssemblySeat.number, AssemblySeat.name),
                       AssemblySeat.number).order_by(AssemblySeat.number)  # DISTINCT needs the ORDER BY column
    counted = {row.id: row for row in rows}
    every = (await session.execute(seats.where(*on_map).distinct())).all()
    return tuple(ProgressRow(seat.id, seat.name, counted[seat.id].counts if seat.id in counted else Counts(),
                             focus=target.rows_level is Level.lok_sabha and seat.id in target.focus_ids)
                 for seat in every)


def _split_rows(query: Select[Any], scoped: Subquery, rows_level: Level) -> tuple[Select[Any], tuple[Any, ...]]:
    """A counts query over `scoped` (the scope's assignments or roll-up rows) split by region, district,
    office-bearer or seat: the query with `key` and `name` columns added, and what to group it by."""
    if rows_level is Level.person:
        return (query.add_columns(OfficeBearer.id.label("key"), OfficeBearer.name.label("name"))
                .join(OfficeBearer, OfficeBearer.id == scoped.c.office_bearer_id), (OfficeBearer.id, OfficeBearer.name))
    if rows_level in SEAT_LEVELS:
        return _map_rows(query, scoped, rows_level)
    query = query.join(District, District.id == scoped.c.district_id)
    if rows_level is Level.region:
        return (query.add_columns(Region.id.label("key"), Region.name.label("name"))
                .join(Region, Region.id == District.region_id), (Region.id, Region.name))
    return query.add_columns(District.id.label("key"), District.name.label("name")), (District.id, District.name)


@dataclass(frozen=True)
class Counting:
    """Where the counts of a period come from: the live count of its open days (`scope`, None when every day is
    rolled up) and the roll-up rows of its closed days (`rolled`, None when none is)."""

    scope: CallScope | None
    rolled: Subquery | None

    def parts(self) -> list[tuple[Select[Any], Subquery]]:
        """Each source's `Counts` aggregates, with the relation its rows come from."""
        parts = []
        if self.scope is not None:
            parts.append((counts_query(self.scope), self.scope.assignments))
        if self.rolled is not None:
            rolled = self.rolled
            parts.append((select(*(func.sum(rolled.c[name]).label(name) for name in COUNTED)).select_from(rolled),
                          rolled))
        return parts


async def _total_counts(session: AsyncSession, counting: Counting) -> Counts:
    """The counting's totals: live and rolled-up days added up in SQL."""
    queries = [query for query, _ in counting.parts()]
    if len(queries) == 1:
        return _counts((await session.execute(queries[0])).mappings().one())
    both = union_all(*queries).subquery("both_parts")
    return _counts((await session.execute(
        select(*(func.sum(both.c[name]).label(name) for name in COUNTED)))).mappings().one())


async def _view_rows(session: AsyncSession, counting: Counting,
                     rows_level: Level | None) -> tuple[ProgressRow, ...]:
    """The counting's counts split by region, district or office-bearer; office-bearers with the lowest
    conversation share first."""
    if rows_level is None:
        return ()
    split = [_split_rows(query, scoped, rows_level) for query, scoped in counting.parts()]
    if len(split) == 1:
        query, group = split[0]
        found = (await session.execute(query.group_by(*group).order_by(group[1], group[0]))).mappings().all()
    else:
        both = union_all(*(query.group_by(*group) for query, group in split)).subquery("both_parts")
        found = (await session.execute(
            select(*(func.sum(both.c[name]).label(name) for name in COUNTED), both.c.key, both.c.name)
            .group_by(both.c.key, both.c.name).order_by(both.c.name, both.c.key))).mappings().all()
    rows = tuple(ProgressRow(row["key"], row["name"], _counts(row)) for row in found)
    if rows_level is Level.person:
        return tuple(sorted(rows, key=lambda row: (row.counts.conversation_percent or 0, row.counts.conversations)))
    return rows


def last_closed_day(today: date, grace_days: int) -> date:
    """The latest day whose report window and back-check window have both closed by `today` (see
    `bot.review.rollup`)."""
    return today - timedelta(days=grace_days + 3)


async def rolled_up_through(session: AsyncSession, *, today: date, grace_days: int) -> date | None:
    """The last day whose counts may be read from the roll-up today (None when nothing is rolled up)."""
    mark = await session.get(RollupMark, ROLLUP_MARK_ID)
    if mark is None:
        return None
    return min(mark.closed_through, last_closed_day(today, grace_days))


ROLLUP_MARK_ID = 1


def _rolled_up(target: Target, start: date, end: date) -> Subquery:
    """The roll-up rows of `start`..`end` for the target's booths (or person), with each row's district and
    Lok Sabha seat, under the column names of `call_scope`'s assignments."""
    rows = (select(DailyCounts, AssemblySeat.district_id, AssemblySeat.lok_sabha_id)
            .join(AssemblySeat, AssemblySeat.id == DailyCounts.assembly_id)
            .where(DailyCounts.day.between(start, end),
                   *map_conditions(district_ids=target.district_ids, lok_sabha_ids=target.lok_sabha_ids,
                                   assembly_id=target.assembly_id)))
    if target.office_bearer_id is not None:
        rows = rows.where(DailyCounts.office_bearer_id == target.office_bearer_id)
    return rows.subquery("rolled")


async def registration_by(session: AsyncSession, key: ColumnElement[int],
                          on_map: Sequence[ColumnElement[bool]]) -> dict[int, Registration]:
    """Active booth presidents of the booths `on_map` keeps, and how many of them joined the bot, by `key` (a
    column of `AssemblySeat`: its district, its Lok Sabha seat or the assembly seat itself)."""
    query = (select(key.label("key"), func.count(BoothPresident.telegram_user_id).label("registered"),
                    func.count().label("presidents"))
             .join(Booth, Booth.id == BoothPresident.booth_id)
             .join(AssemblySeat, AssemblySeat.id == Booth.assembly_id)
             .where(BoothPresident.active, *on_map)
             .group_by(key))
    return {row.key: Registration(row.registered, row.presidents) for row in (await session.execute(query)).all()}


async def _open_needs(session: AsyncSession, target: Target, now: datetime) -> tuple[OpenNeeds, ...]:
    """Needs not yet resolved, raised at booths of the target's districts (or on the person's calls), by age."""
    fresh_since, old_before = now - timedelta(days=FRESH_NEED_DAYS), now - timedelta(days=OLD_NEED_DAYS)
    query = (select(Need.category,
                    func.count().filter(Need.created_at > fresh_since).label("fresh"),
                    func.count().filter(and_(Need.created_at <= fresh_since, Need.created_at >= old_before))
                    .label("aging"),
                    func.count().filter(Need.created_at < old_before).label("old"))
             .where(Need.status != NeedStatus.resolved)
             .group_by(Need.category))
    on_map = map_conditions(district_ids=target.district_ids, lok_sabha_ids=target.lok_sabha_ids,
                            assembly_id=target.assembly_id)
    if on_map:
        query = (query.join(Booth, Booth.id == Need.booth_id).join(AssemblySeat, AssemblySeat.id == Booth.assembly_id)
                 .where(*on_map))
    if target.office_bearer_id is not None:
        query = (query.join(CallReport, CallReport.id == Need.call_report_id)
                 .join(Assignment, Assignment.id == CallReport.assignment_id)
                 .where(Assignment.office_bearer_id == target.office_bearer_id))
    order = list(NeedCategory)
    return tuple(sorted((OpenNeeds(row.category, row.fresh, row.aging, row.old)
                         for row in (await session.execute(query)).all()),
                        key=lambda needs: order.index(needs.category)))


async def progress_view(session: AsyncSession, viewer: Viewer, *, level: Level, area_id: int, period: Period,
                        today: date, grace_days: int, now: datetime, zone: tzinfo,
                        focus: Collection[str] = (), use_rollup: bool = True) -> ProgressView:
    """Progress of one area over `period` as `viewer` may see it: assigned, delivered, conversations (the
    headline share), attempts that did not connect, unreported, unreachable and overdue, split one level down,
    with the trend of the conversation share against the previous period, the share of the area's booth
    presidents registered with the bot, its coverage, and the area's open needs by category and age.

    A call is overdue once its report window (`grace_days` after its day, counted from `today`) has closed
    with no report. A handful of aggregate queries whatever the number of calls, and for one region's or
    district's single day one load of its calls for the plausibility flags (`zone` says when "the evening"
    is). Every view above a person's own calls also carries the area's coverage (booth presidents talked to in
    the last 30 and 90 days); `focus` names the focus Lok Sabha seats. Raises `NotVisible` when the role does
    not allow the area, `UnknownArea` when it does not exist.

    The counts of days the nightly roll-up has closed (`bot.review.rollup`) are read from it and added to a
    live count of the later days; `use_rollup=False` counts every day live (the property tests compare the
    two). Attention lists, needs, flags and coverage are always live.
    """
    target = await area_target(session, viewer, level, area_id, focus=focus)
    overdue_before = today - timedelta(days=grace_days)

    def scope_of(start: date, end: date) -> CallScope:
        return call_scope(start=start, end=end, district_ids=target.district_ids,
                          office_bearer_id=target.office_bearer_id, overdue_before=overdue_before,
                          lok_sabha_ids=target.lok_sabha_ids, assembly_id=target.assembly_id)

    closed = await rolled_up_through(session, today=today, grace_days=grace_days) if use_rollup else None

    def counting(days: Period, *, rows: bool = False) -> Counting:
        """Closed days from the roll-up (not for booth rows, which it does not keep), open days live."""
        if closed is None or days.start > closed or (rows and target.rows_level is Level.booth):
            return Counting(scope_of(days.start, days.end), None)
        rolled = _rolled_up(target, days.start, min(days.end, closed))
        if days.end <= closed:
            return Counting(None, rolled)
        return Counting(scope_of(closed + timedelta(days=1), days.end), rolled)

    scope = scope_of(period.start, period.end)
    rows = await _with_every_seat(session, target, await _view_rows(session, counting(period, rows=True),
                                                                    target.rows_level))
    if target.rows_level is None:
        totals = await _total_counts(session, counting(period))
    else:
        totals = sum((row.counts for row in rows), Counts())
    previous = await _total_counts(session, counting(period.previous()))
    attention = Attention(unreported=await _unreported_callers(session, scope),
                          disconnected=await _disconnected_callers(session, scope),
                          unreachable=await _unreachable_callers(session, scope),
                          weak_booths=await _weak_booths_heard(session, scope),
                          needs_raised=await need_tallies(session, scope)) if totals.assigned else Attention()
    flagged = None
    if totals.assigned and period.kind is PeriodKind.day and target.area.level in (Level.region, Level.district):
        flagged = len(await flags_for_period(session, start=period.start, end=period.end,
                                             district_ids=target.district_ids, zone=zone))
    coverage = None if target.office_bearer_id is not None else await coverage_figures(
        session, today=today, district_ids=target.district_ids, lok_sabha_ids=target.lok_sabha_ids,
        assembly_id=target.assembly_id)
    registration = None
    if target.office_bearer_id is None:
        key = {Level.lok_sabha: AssemblySeat.lok_sabha_id, Level.assembly: AssemblySeat.id}.get(
            target.rows_level or Level.district, AssemblySeat.district_id)
        by_row = await registration_by(session, key, map_conditions(
            district_ids=target.district_ids, lok_sabha_ids=target.lok_sabha_ids, assembly_id=target.assembly_id))
        registration = sum(by_row.values(), Registration())
        if target.rows_level in (Level.district, Level.lok_sabha, Level.assembly):
            rows = tuple(replace(row, registration=by_row.get(row.id, Registration())) for row in rows)
    return ProgressView(area=target.area, period=period, totals=totals, previous=previous, rows=rows,
                        rows_level=target.rows_level, open_needs=await _open_needs(session, target, now),
                        attention=attention, flagged=flagged, coverage=coverage, registration=registration)
