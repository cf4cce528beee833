"""Plausibility flags on reported calls, and the verification tallies of a period.

Calls are made on personal phones, outside the bot, so the bot never hears them. What it can check:

* **Flags** (`Flag`) on reports whose pattern is hard to square with real calls. They are computed for a
  period by a few queries (the period's calls, their reports, their back-checks, and one GROUP BY for every
  office-bearer's rates) and small Python over the rows, never one query per call. A flag is a reason to
  ask, not a verdict. The rules and their thresholds (the constants below):

  - `quick_reports`: all of an office-bearer's contacts of a day (at least two) reported as talked within
    `QUICK_WINDOW` of their morning message's delivery: two real conversations (well-being, the booth's
    position, its needs) and two reports do not fit in ten minutes.
  - `same_notes`: a note (case, spaces and punctuation ignored; at least `NOTE_MIN_CHARS` characters and
    `NOTE_MIN_WORDS` words, so "सब ठीक है" is not compared) that is the same or nearly the same
    (difflib ratio ≥ `NOTE_SIMILARITY`) as the note on another of the same office-bearer's calls of the period.
  - `no_answer_outlier`, `all_good_outlier`: the office-bearer's share of calls ending unanswered (no answer
    or switched off), or "all good" (talked, family well, the party strong, no needs), is far above their
    peers'. Peers are every office-bearer with at least `OUTLIER_MIN_REPORTS` reported calls in the period,
    in every district (a person's rate belongs to the person, whoever looks); with fewer than
    `OUTLIER_MIN_PEERS` of them nobody is compared. "Far above" is above median + max(`OUTLIER_MAD_FACTOR` ×
    MAD, `OUTLIER_MIN_GAP`): the median absolute deviation follows the spread of honest rates, and the fixed
    gap keeps a tight group (MAD near 0) from flagging small differences. The calls of that kind are flagged.
  - `evening_burst`: at least `BURST_SIZE` reports by one office-bearer within `BURST_WINDOW`, after
    `BURST_AFTER` local time: reports written from memory at the end of the day, or not from calls at all.
  - `attempt_denied`: asked about a call reported as not connected, the booth president said nobody tried.
  - `disputed`, `needs_not_discussed`: the booth president, asked in a back-check, said there was no call, or
    that the booth's needs were not talked about.

* **Tallies** (`verify_period`): reported, asked, checked, confirmed, disputed and flagged calls per
  office-bearer, per district and in total, the secretary's "what looks doubtful".
"""

from __future__ import annotations

import enum
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta, tzinfo
from difflib import SequenceMatcher
from itertools import combinations
from statistics import median
from typing import Any

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, and_, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.outreach.reports import reported_since
from models import (
    NOT_CONNECTED,
    AssemblySeat,
    Assignment,
    BackCheck,
    Booth,
    CallReport,
    Delivery,
    DeliveryStatus,
    District,
    Need,
    OfficeBearer,
    Outcome,
    Role,
    Strength,
    Wellbeing,
)

QUICK_WINDOW = timedelta(minutes=10)
"""Talked calls reported this soon after the morning message arrived are too quick to be real conversations."""
QUICK_MIN_CALLS = 2
"""`quick_reports` needs at least this many of the day's contacts, all reported that quickly."""
NOTE_SIMILARITY = 0.9
"""difflib ratio from which two normalised notes count as the same text."""
NOTE_MIN_CHARS = 20
"""Shorter notes (normalised) are too common to compare ("सब ठीक है")."""
NOTE_MIN_WORDS = 4
"""Notes of fewer words are too common to compare."""
OUTLIER_MIN_REPORTS = 6
"""Reported calls in the period an office-bearer needs before their rates are compared."""
OUTLIER_MIN_PEERS = 5
"""Office-bearers with enough reports needed before anyone is compared with the others."""
OUTLIER_MAD_FACTOR = 2.0
"""How many median absolute deviations above the median a rate must be to stand out."""
OUTLIER_MIN_GAP = 0.3
"""However tight the group, a rate stands out only this far (30 points) above the median."""
BURST_SIZE = 3
"""Reports this many within `BURST_WINDOW` after `BURST_AFTER` make an evening burst."""
BURST_WINDOW = timedelta(minutes=10)
"""The span within which `BURST_SIZE` late reports count as one burst."""
BURST_AFTER = time(20, 0)
"""Local time from which reports count as end-of-day reporting."""



class Flag(enum.StrEnum):
    """Why a reported call looks doubtful; each is labelled in the catalog as `flag.<value>`."""

    quick_reports = "quick_reports"
    same_notes = "same_notes"
    no_answer_outlier = "no_answer_outlier"
    all_good_outlier = "all_good_outlier"
    evening_burst = "evening_burst"
    disputed = "disputed"
    attempt_denied = "attempt_denied"
    needs_not_discussed = "needs_not_discussed"


# --- the period's data ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Call:
    assignment_id: int
    day: date
    slot: int
    office_bearer_id: int
    caller_name: str
    caller_role: Role
    district_id: int
    district: str
    booth_no: int
    booth_name: str
    sent_at: datetime | None


@dataclass(frozen=True)
class _Report:
    assignment_id: int
    outcome: Outcome
    reported_at: datetime
    notes: str | None
    all_good: bool


@dataclass(frozen=True)
class _Check:
    asked: bool
    called: bool | None
    spoke_about_needs: bool | None
    attempted_only: bool = False
    """Asked about a call that did not connect ("did they try to call you?"), not about a conversation."""


@dataclass(frozen=True)
class _Rates:
    reported: int
    not_answered: int
    all_good: int


@dataclass(frozen=True)
class _Period:
    """Everything the flags of a period are computed from."""

    calls: dict[int, _Call]
    reports: list[_Report]
    checks: dict[int, _Check]
    rates: dict[int, _Rates]
    in_scope: Callable[[_Call], bool]


def _all_good(report_id: SQLColumnExpression[int], outcome: SQLColumnExpression[Outcome],
              wellbeing: SQLColumnExpression[Wellbeing | None],
              position: SQLColumnExpression[Strength | None]) -> ColumnElement[bool]:
    """The one definition of an "all good" report: talked, family well, the party strong, no needs."""
    return and_(outcome == Outcome.talked, wellbeing == Wellbeing.well, position == Strength.strong,
                ~exists().where(Need.call_report_id == report_id))


async def _rates(session: AsyncSession, *, start: date, end: date) -> dict[int, _Rates]:
    """Every office-bearer's reported calls in the period, and how many ended unanswered or all good.

    A call counts by its latest report (by time, ties broken by the higher id).
    """
    newest_first = (CallReport.reported_at.desc(), CallReport.id.desc())
    ranked = (select(Assignment.office_bearer_id, CallReport.id, CallReport.outcome, CallReport.wellbeing,
                     CallReport.booth_position,
                     func.row_number().over(partition_by=CallReport.assignment_id, order_by=newest_first)
                     .label("rank"))
              .join(Assignment, Assignment.id == CallReport.assignment_id)
              .where(Assignment.day.between(start, end), reported_since(start))
              .subquery("ranked"))
    latest = ranked.c
    rows = (await session.execute(
        select(latest.office_bearer_id, func.count().label("reported"),
               func.count().filter(latest.outcome.in_(NOT_CONNECTED)).label("not_answered"),
               func.count().filter(_all_good(latest.id, latest.outcome, latest.wellbeing, latest.booth_position))
               .label("all_good"))
        .where(latest.rank == 1)
        .group_by(latest.office_bearer_id))).all()
    return {row.office_bearer_id: _Rates(row.reported, row.not_answered, row.all_good) for row in rows}


async def _load(session: AsyncSession, *, start: date, end: date, district_ids: Collection[int] | None,
                office_bearer_id: int | None = None) -> _Period:
    """The period's calls of everyone who has a call in scope (all their calls: a day's "both contacts" and an
    evening's burst are the person's, whichever districts they lie in), their reports and back-checks."""
    in_period = Assignment.day.between(start, end)
    people: Select[Any] | None = None
    if office_bearer_id is not None:
        people = select(OfficeBearer.id).where(OfficeBearer.id == office_bearer_id)
    elif district_ids is not None:
        people = (select(Assignment.office_bearer_id)
                  .join(Booth, Booth.id == Assignment.booth_id)
                  .join(AssemblySeat, AssemblySeat.id == Booth.assembly_id)
                  .where(in_period, AssemblySeat.district_id.in_(district_ids)))
    chosen = [in_period] if people is None else [in_period, Assignment.office_bearer_id.in_(people)]
    call_ids = select(Assignment.id).where(*chosen)
    call_rows = (await session.execute(
        select(Assignment.id, Assignment.day, Assignment.slot, Assignment.office_bearer_id,
               OfficeBearer.name.label("caller_name"), OfficeBearer.role, AssemblySeat.district_id,
               District.name.label("district"), Booth.number, Booth.name.label("booth_name"),
               Delivery.updated_at.label("sent_at"))
        .join(OfficeBearer, OfficeBearer.id == Assignment.office_bearer_id)
        .join(Booth, Booth.id == Assignment.booth_id)
        .join(AssemblySeat, AssemblySeat.id == Booth.assembly_id)
        .join(District, District.id == AssemblySeat.district_id)
        .outerjoin(Delivery, and_(Delivery.day.between(start, end), Delivery.day == Assignment.day,
                                  Delivery.office_bearer_id == Assignment.office_bearer_id,
                                  Delivery.status == DeliveryStatus.sent))
        .where(*chosen))).all()
    calls = {row.id: _Call(row.id, row.day, row.slot, row.office_bearer_id, row.caller_name, row.role,
                           row.district_id, row.district, row.number, row.booth_name, row.sent_at)
             for row in call_rows}
    report_rows = (await session.execute(
        select(CallReport.assignment_id, CallReport.outcome, CallReport.reported_at, CallReport.notes,
               _all_good(CallReport.id, CallReport.outcome, CallReport.wellbeing, CallReport.booth_position)
               .label("all_good"))
        .where(CallReport.assignment_id.in_(call_ids), reported_since(start))
        .order_by(CallReport.reported_at, CallReport.id))).all()
    check_rows = (await session.execute(
        select(BackCheck.assignment_id, BackCheck.asked_at, BackCheck.error, BackCheck.called,
               BackCheck.spoke_about_needs, BackCheck.attempted_only)
        .where(BackCheck.assignment_id.in_(call_ids)))).all()
    scope = None if district_ids is None else set(district_ids)
    return _Period(
        calls=calls,
        reports=[_Report(r.assignment_id, r.outcome, r.reported_at, r.notes, bool(r.all_good))
                 for r in report_rows],
        checks={c.assignment_id: _Check(c.asked_at is not None and c.error is None, c.called, c.spoke_about_needs,
                                        bool(c.attempted_only))
                for c in check_rows},
        rates=await _rates(session, start=start, end=end),
        in_scope=lambda call: scope is None or call.district_id in scope,
    )


# --- the flags ------------------------------------------------------------------------------------------


def normalise_note(note: str) -> str:
    """A note with case, punctuation (the danda too) and runs of spaces ironed out, for comparing notes."""
    kept = "".join(" " if unicodedata.category(ch)[0] in "PSZC" else ch for ch in note.casefold())
    return " ".join(kept.split())


def notes_alike(first: str, second: str) -> bool:
    """Whether two normalised notes are the same or nearly the same text (difflib ratio ≥ `NOTE_SIMILARITY`)."""
    matcher = SequenceMatcher(None, first, second, autojunk=False)
    return (matcher.real_quick_ratio() >= NOTE_SIMILARITY and matcher.quick_ratio() >= NOTE_SIMILARITY
            and matcher.ratio() >= NOTE_SIMILARITY)


def _substantial(note: str) -> bool:
    return len(note) >= NOTE_MIN_CHARS and len(note.split()) >= NOTE_MIN_WORDS


def _quick_reports(period: _Period) -> Iterable[int]:
    first_talked: dict[int, datetime] = {}
    for report in period.reports:
        if report.outcome is Outcome.talked:
            first_talked.setdefault(report.assignment_id, report.reported_at)
    days: dict[tuple[int, date], list[_Call]] = defaultdict(list)
    for call in period.calls.values():
        days[call.office_bearer_id, call.day].append(call)
    for calls in days.values():
        sent_at = calls[0].sent_at
        if len(calls) < QUICK_MIN_CALLS or sent_at is None:
            continue
        if all(c.assignment_id in first_talked and first_talked[c.assignment_id] - sent_at <= QUICK_WINDOW
               for c in calls):
            yield from (c.assignment_id for c in calls)


def _same_notes(period: _Period) -> Iterable[int]:
    notes: dict[int, set[tuple[int, str]]] = defaultdict(set)
    for report in period.reports:
        text = normalise_note(report.notes or "")
        if _substantial(text):
            notes[period.calls[report.assignment_id].office_bearer_id].add((report.assignment_id, text))
    for written in notes.values():
        for (first_id, first), (second_id, second) in combinations(sorted(written), 2):
            if first_id != second_id and notes_alike(first, second):
                yield from (first_id, second_id)


def _outliers(rates: dict[int, _Rates]) -> dict[int, set[Flag]]:
    """The office-bearers whose no-answer or all-good share stands far above their peers' (see the module)."""
    peers = {person: rate for person, rate in rates.items() if rate.reported >= OUTLIER_MIN_REPORTS}
    found: dict[int, set[Flag]] = defaultdict(set)
    if len(peers) < OUTLIER_MIN_PEERS:
        return found
    measures: dict[Flag, Callable[[_Rates], float]] = {
        Flag.no_answer_outlier: lambda rate: rate.not_answered / rate.reported,
        Flag.all_good_outlier: lambda rate: rate.all_good / rate.reported,
    }
    for flag, share in measures.items():
        shares = {person: share(rate) for person, rate in peers.items()}
        middle = median(shares.values())
        spread = median(abs(value - middle) for value in shares.values())
        limit = middle + max(OUTLIER_MAD_FACTOR * spread, OUTLIER_MIN_GAP)
        for person, value in shares.items():
            if value > limit:
                found[person].add(flag)
    return found


def _outlier_calls(period: _Period) -> Iterable[tuple[int, Flag]]:
    outliers = _outliers(period.rates)
    latest = {report.assignment_id: report for report in period.reports}
    for assignment_id, report in latest.items():
        flags = outliers.get(period.calls[assignment_id].office_bearer_id, set())
        if Flag.no_answer_outlier in flags and report.outcome in NOT_CONNECTED:
            yield assignment_id, Flag.no_answer_outlier
        if Flag.all_good_outlier in flags and report.all_good:
            yield assignment_id, Flag.all_good_outlier


def _evening_bursts(period: _Period, zone: tzinfo) -> Iterable[int]:
    late: dict[int, list[_Report]] = defaultdict(list)
    for report in period.reports:
        if report.reported_at.astimezone(zone).time() >= BURST_AFTER:
            late[period.calls[report.assignment_id].office_bearer_id].append(report)
    for reports in late.values():
        first = 0
        for last, report in enumerate(reports):
            while report.reported_at - reports[first].reported_at > BURST_WINDOW:
                first += 1
            if last - first + 1 >= BURST_SIZE:
                yield from (r.assignment_id for r in reports[first:last + 1])


def _disputes(period: _Period) -> Iterable[tuple[int, Flag]]:
    for assignment_id, check in period.checks.items():
        if check.called is False:
            yield assignment_id, Flag.attempt_denied if check.attempted_only else Flag.disputed
        if check.spoke_about_needs is False:
            yield assignment_id, Flag.needs_not_discussed


def _flags(period: _Period, zone: tzinfo) -> dict[int, tuple[Flag, ...]]:
    found: dict[int, set[Flag]] = defaultdict(set)
    for flag, ids in ((Flag.quick_reports, _quick_reports(period)), (Flag.same_notes, _same_notes(period)),
                      (Flag.evening_burst, _evening_bursts(period, zone))):
        for assignment_id in ids:
            found[assignment_id].add(flag)
    for assignment_id, flag in (*_outlier_calls(period), *_disputes(period)):
        found[assignment_id].add(flag)
    order = list(Flag)
    return {assignment_id: tuple(sorted(flags, key=order.index)) for assignment_id, flags in found.items()
            if period.in_scope(period.calls[assignment_id])}


async def flags_for_period(session: AsyncSession, *, start: date, end: date, district_ids: Collection[int] | None,
                           zone: tzinfo, office_bearer_id: int | None = None) -> dict[int, tuple[Flag, ...]]:
    """The flags of every flagged call of `start`..`end` on booths of `district_ids` (all when None), by
    assignment id; calls without a flag are left out. `zone` decides what "after 20:00" means; with
    `office_bearer_id` only that office-bearer's calls are loaded (a call's trail)."""
    period = await _load(session, start=start, end=end, district_ids=district_ids,
                         office_bearer_id=office_bearer_id)
    return _flags(period, zone)


# --- tallies per office-bearer and district --------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """How far the calls of a person or district have been checked.

    `reported`: calls with a report; `conversations`: calls whose latest report says the office-bearer talked
    with the booth president (what the back-checks verify); `asked`: back-check questions delivered;
    `checked`: answered by the booth president; `confirmed`: the booth president says the call took place;
    `disputed`: says it did not; `flagged`: calls with at least one flag (disputes included).
    """

    reported: int = 0
    asked: int = 0
    checked: int = 0
    confirmed: int = 0
    disputed: int = 0
    flagged: int = 0
    conversations: int = 0

    def __add__(self, other: Tally) -> Tally:
        """Field-by-field sum."""
        return Tally(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})


@dataclass(frozen=True)
class CallerTally:
    """One office-bearer's verification figures in the period, with the rates their peers are compared on.

    The rates cover all their reported calls of the period in every district (None with no report);
    `outliers` names the rates that stand far above their peers'.
    """

    office_bearer_id: int
    name: str
    role: Role
    tally: Tally
    not_answered_share: float | None
    all_good_share: float | None
    outliers: tuple[Flag, ...]


@dataclass(frozen=True)
class DistrictTally:
    """One district's verification figures in the period (calls on its booths)."""

    district_id: int
    name: str
    tally: Tally


@dataclass(frozen=True)
class FlaggedCall:
    """A call with at least one flag, as the review list shows it (no phone number, no booth president)."""

    assignment_id: int
    day: date
    caller_name: str
    booth_no: int
    booth_name: str
    district: str
    flags: tuple[Flag, ...]


@dataclass(frozen=True)
class Verification:
    """Verification of the calls of `start`..`end` in the districts asked about."""

    start: date
    end: date
    flags: dict[int, tuple[Flag, ...]]
    flagged: tuple[FlaggedCall, ...]
    callers: tuple[CallerTally, ...]
    districts: tuple[DistrictTally, ...]
    totals: Tally


def _tally(call: _Call, period: _Period, latest: dict[int, Outcome], flags: dict[int, tuple[Flag, ...]]) -> Tally:
    check = period.checks.get(call.assignment_id)
    if check is not None and check.attempted_only:
        check = None  # the tallies count checks of conversations; an attempt's check shows as its flag
    return Tally(reported=int(call.assignment_id in latest),
                 conversations=int(latest.get(call.assignment_id) is Outcome.talked),
                 asked=int(check is not None and check.asked),
                 checked=int(check is not None and check.called is not None),
                 confirmed=int(check is not None and check.called is True),
                 disputed=int(check is not None and check.called is False),
                 flagged=int(call.assignment_id in flags))


async def verify_period(session: AsyncSession, *, start: date, end: date, district_ids: Collection[int] | None,
                        zone: tzinfo) -> Verification:
    """Flags, flagged calls, and reported / conversations / checked / confirmed / flagged tallies per office-bearer, per
    district and in total, for the calls of `start`..`end` on booths of `district_ids` (all when None).

    This is the secretary's "what looks doubtful": one load of the period, whatever the number of calls.
    """
    period = await _load(session, start=start, end=end, district_ids=district_ids)
    flags = _flags(period, zone)
    outliers = _outliers(period.rates)
    latest = {report.assignment_id: report.outcome for report in period.reports}  # oldest first: the last wins
    scoped = sorted((c for c in period.calls.values() if period.in_scope(c)),
                    key=lambda c: (c.day, c.caller_name, c.slot, c.assignment_id))
    by_caller: dict[int, Tally] = defaultdict(Tally)
    by_district: dict[int, Tally] = defaultdict(Tally)
    for call in scoped:
        tally = _tally(call, period, latest, flags)
        by_caller[call.office_bearer_id] += tally
        by_district[call.district_id] += tally
    people = {c.office_bearer_id: c for c in scoped}
    districts = {c.district_id: c.district for c in scoped}
    order = list(Flag)

    def caller(person: int) -> CallerTally:
        rate = period.rates.get(person)
        return CallerTally(
            office_bearer_id=person, name=people[person].caller_name, role=people[person].caller_role,
            tally=by_caller[person],
            not_answered_share=rate.not_answered / rate.reported if rate else None,
            all_good_share=rate.all_good / rate.reported if rate else None,
            outliers=tuple(sorted(outliers.get(person, ()), key=order.index)))

    return Verification(
        start=start, end=end, flags=flags,
        flagged=tuple(FlaggedCall(c.assignment_id, c.day, c.caller_name, c.booth_no, c.booth_name, c.district,
                                  flags[c.assignment_id]) for c in scoped if c.assignment_id in flags),
        callers=tuple(sorted((caller(p) for p in by_caller), key=lambda t: (t.name, t.office_bearer_id))),
        districts=tuple(sorted((DistrictTally(d, districts[d], t) for d, t in by_district.items()),
                               key=lambda t: t.name)),
        totals=sum(by_district.values(), Tally()),
    )
