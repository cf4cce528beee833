"""Who calls whom today: the rotation policy and its persistence.

The policy, in order of precedence (README, "How contacts are chosen"):
- only active, registered, reachable, not paused state office-bearers and district in-charges receive
  contacts; a district in-charge gets booths of their districts, a state office-bearer booths of their
  region, or of the whole state when no region is set;
- a booth president is given to at most one person a day, and never while their number is marked wrong;
- a call that did not connect (no answer, busy, switched off) comes back to the same caller the next day,
  first of all, as the next attempt, up to `max_attempts`; then the booth president is out of rotation as
  unreachable, as are booth presidents with a correction pending;
- a "call back later" comes back to the same caller on the day they asked for, in their first free slot;
- everyone else is ordered by *urgency*: the never-called first (so every booth president in scope is
  called once before anyone is called a second time), then days since the last call times the booth's
  weight (weak booths and booths in focus seats weigh more, so they come round more often, and nobody
  starves because every wait grows without bound); a per-day shuffle spreads equals;
- the same caller is not given the same booth president again within `repeat_gap_days`;
- people with the narrowest scope choose first, so that state-wide callers do not take the booths a
  district in-charge depends on.
The pure part (`choose`) knows nothing of the database; `assign_day` loads, chooses and stores. The
database has the last word: unique constraints turn a second run, or a run in another process, into
no-ops, and what is stored is read back as the truth.
"""

from __future__ import annotations

import contextlib
import gc
import heapq
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.config import OutreachSettings
from bot.outreach.corrections import PENDING
from bot.sqlutil import insert_ignoring_conflicts
from models import (
    CALLER_ROLES,
    NOT_CONNECTED,
    AssemblySeat,
    Assignment,
    Booth,
    BoothPresident,
    CallReport,
    Correction,
    District,
    LokSabhaSeat,
    OfficeBearer,
    OfficeBearerDistrict,
    Outcome,
    Role,
    Strength,
)

CALL_BACK_LOOKBACK_DAYS = 14
RETRY_LOOKBACK_DAYS = 7
"""How far back a call that did not connect is still tried again (its caller may have been away meanwhile)."""


@dataclass(frozen=True)
class RotationPolicy:
    """The knobs of the rotation, read from the `[outreach]` settings."""

    contacts_per_day: int = 2
    focus_lok_sabha: tuple[str, ...] = ()
    weak_weight: float = 2.0
    focus_weight: float = 2.0
    repeat_gap_days: int = 30
    max_attempts: int = 3

    @classmethod
    def from_settings(cls, outreach: OutreachSettings) -> RotationPolicy:
        """The policy the configuration asks for."""
        return cls(contacts_per_day=outreach.contacts_per_day, focus_lok_sabha=outreach.focus_lok_sabha,
                   weak_weight=outreach.weak_weight, focus_weight=outreach.focus_weight,
                   repeat_gap_days=outreach.repeat_gap_days, max_attempts=outreach.max_attempts)

    def weight(self, *, focus: bool, weak: bool) -> float:
        """How much more often than an ordinary booth this booth comes round."""
        return (self.focus_weight if focus else 1.0) * (self.weak_weight if weak else 1.0)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A booth president who may be called, with what the policy orders them by."""

    president_id: int
    booth_id: int
    district_id: int
    region_id: int
    focus: bool
    weak: bool
    last_called: date | None
    weight: float = 1.0
    recent_callers: frozenset[int] = frozenset()
    times_called: int = 0


@dataclass(frozen=True)
class Caller:
    """An office-bearer due contacts today, with the districts they may be given (None: whole state).

    `call_backs` are the booth presidents this caller is to call again today, in order: calls that did not
    connect first, then those who asked to be called back.
    """

    office_bearer_id: int
    district_ids: frozenset[int] | None
    free_slots: tuple[int, ...]
    call_backs: tuple[int, ...] = field(default=())


def _shuffle_key(president_id: int, day: date) -> int:
    """A cheap, deterministic per-day scramble so that equals are not always taken in id order."""
    return (president_id * 2654435761 + day.toordinal() * 40503) % 4294967291


def priority(candidate: Candidate, day: date) -> tuple[bool, float, float, float, int]:
    """Sort key, most urgent first: never called, then weighted days waited, then fewest calls for the
    weight (so that people last called on the same day keep their turn in the cycle), then weight, then
    the day's shuffle."""
    shuffle = _shuffle_key(candidate.president_id, day)
    if candidate.last_called is None:
        return (False, 0.0, 0.0, -candidate.weight, shuffle)
    waited = (day - candidate.last_called).days * candidate.weight
    return (True, -waited, candidate.times_called / candidate.weight, -candidate.weight, shuffle)


def choose(callers: Sequence[Caller], candidates: Iterable[Candidate], day: date,
           taken: Collection[int] = ()) -> list[tuple[int, int, Candidate]]:
    """The pure policy: (office_bearer_id, slot, candidate) for every free slot that can be filled.

    `taken` holds booth presidents already given to someone today; a caller's `call_backs` are the
    booth presidents they were asked to call again today, served first.
    """
    ordered = sorted(candidates, key=lambda c: priority(c, day))
    by_id = {c.president_id: c for c in ordered}
    used = set(taken)
    chosen: list[tuple[int, int, Candidate]] = []
    free: dict[int, list[int]] = {}
    for caller in callers:
        slots = list(caller.free_slots)
        for president_id in caller.call_backs:
            candidate = by_id.get(president_id)
            in_scope = candidate is not None and (caller.district_ids is None
                                                  or candidate.district_id in caller.district_ids)
            if slots and candidate is not None and in_scope and president_id not in used:
                used.add(president_id)
                chosen.append((caller.office_bearer_id, slots.pop(0), candidate))
        free[caller.office_bearer_id] = slots

    pools = _ScopePools(ordered, {caller.district_ids for caller in callers})
    cursors = dict.fromkeys(pools.scopes, 0)
    for caller in sorted(callers, key=lambda c: (pools.size(c.district_ids), c.office_bearer_id)):
        scope = caller.district_ids
        for slot in free[caller.office_bearer_id]:
            while (candidate := pools.at(scope, cursors[scope])) is not None and candidate.president_id in used:
                cursors[scope] += 1
            index = cursors[scope]
            while (candidate := pools.at(scope, index)) is not None and (
                    candidate.president_id in used or caller.office_bearer_id in candidate.recent_callers):
                index += 1
            if candidate is None:
                break
            used.add(candidate.president_id)
            chosen.append((caller.office_bearer_id, slot, candidate))
    return chosen


class _ScopePools:
    """Each scope's candidates in priority order, merged lazily from per-district lists.

    A scope is read only as far as its callers need, so thousands of scopes over a million candidates
    cost what is taken from them, not scopes × candidates.
    """

    def __init__(self, ordered: list[Candidate], scopes: Collection[frozenset[int] | None]) -> None:
        by_district: dict[int, list[tuple[int, Candidate]]] = {}
        for rank, candidate in enumerate(ordered):
            by_district.setdefault(candidate.district_id, []).append((rank, candidate))
        self.scopes = tuple(scopes)
        self._sizes = {scope: len(ordered) if scope is None else sum(len(by_district.get(d, ())) for d in scope)
                       for scope in self.scopes}
        self._pools: dict[frozenset[int] | None, list[Candidate]] = {scope: [] for scope in self.scopes}
        self._sources: dict[frozenset[int] | None, Iterator[Candidate]] = {
            scope: iter(ordered) if scope is None
            else (c for _, c in heapq.merge(*(by_district.get(d, []) for d in sorted(scope))))
            for scope in self.scopes}

    def size(self, scope: frozenset[int] | None) -> int:
        """How many candidates the scope holds."""
        return self._sizes[scope]

    def at(self, scope: frozenset[int] | None, index: int) -> Candidate | None:
        """The scope's candidate at `index` in priority order, or None past the end."""
        pool = self._pools[scope]
        while len(pool) <= index:
            following = next(self._sources[scope], None)
            if following is None:
                return None
            pool.append(following)
        return pool[index]


async def load_callers(session: AsyncSession, *, day: date, contacts_per_day: int) -> list[Caller]:
    """Office-bearers who should receive contacts on `day`, with the slots still empty for them."""
    people = (await session.execute(
        select(OfficeBearer.id, OfficeBearer.role, OfficeBearer.region_id).where(
            OfficeBearer.active,
            OfficeBearer.role.in_(CALLER_ROLES),
            OfficeBearer.telegram_user_id.is_not(None),
            OfficeBearer.unreachable_since.is_(None),
            or_(OfficeBearer.paused_until.is_(None), OfficeBearer.paused_until < day),
        ))).all()
    charges: dict[int, set[int]] = {}
    for person_id, district_id in await session.execute(
            select(OfficeBearerDistrict.office_bearer_id, OfficeBearerDistrict.district_id)):
        charges.setdefault(person_id, set()).add(district_id)
    regions: dict[int, set[int]] = {}
    for district_id, district_region_id in await session.execute(select(District.id, District.region_id)):
        regions.setdefault(district_region_id, set()).add(district_id)
    filled: dict[int, set[int]] = {}
    for person_id, slot in await session.execute(
            select(Assignment.office_bearer_id, Assignment.slot).where(Assignment.day == day)):
        filled.setdefault(person_id, set()).add(slot)

    callers = []
    for person_id, role, region_id in people:
        if role is Role.district_incharge:
            scope: frozenset[int] | None = frozenset(charges.get(person_id, ()))
        elif region_id is not None:
            scope = frozenset(regions.get(region_id, ()))
        else:
            scope = None
        free = tuple(s for s in range(1, contacts_per_day + 1) if s not in filled.get(person_id, set()))
        if free and scope != frozenset():
            callers.append(Caller(person_id, scope, free))
    return callers


async def load_candidates(session: AsyncSession, *, day: date,
                          policy: RotationPolicy) -> tuple[list[Candidate], set[int]]:
    """Booth presidents who may be called on `day`, and those already given to someone that day."""
    last_called = (select(Assignment.booth_president_id, func.max(Assignment.day).label("last_day"),
                          func.count().label("times_called"))
                   .where(Assignment.day < day)
                   .group_by(Assignment.booth_president_id).subquery())
    rows = await session.execute(
        select(BoothPresident.id, Booth.id, District.id, District.region_id, LokSabhaSeat.name,
               Booth.strength, last_called.c.last_day, last_called.c.times_called)
        .join(Booth, BoothPresident.booth_id == Booth.id)
        .join(AssemblySeat, Booth.assembly_id == AssemblySeat.id)
        .join(District, AssemblySeat.district_id == District.id)
        .join(LokSabhaSeat, AssemblySeat.lok_sabha_id == LokSabhaSeat.id)
        .outerjoin(last_called, last_called.c.booth_president_id == BoothPresident.id)
        .where(BoothPresident.active, BoothPresident.phone_reported_wrong_at.is_(None),
               BoothPresident.unreachable_since.is_(None),
               ~exists().where(Correction.booth_president_id == BoothPresident.id, Correction.status.in_(PENDING))))
    recent: dict[int, set[int]] = {}
    if policy.repeat_gap_days:
        for president_id, person_id in await session.execute(
                select(Assignment.booth_president_id, Assignment.office_bearer_id).distinct().where(
                    Assignment.day >= day - timedelta(days=policy.repeat_gap_days), Assignment.day < day)):
            recent.setdefault(president_id, set()).add(person_id)
    focus_seats = {name.casefold() for name in policy.focus_lok_sabha}
    weights = {(focus, weak): policy.weight(focus=focus, weak=weak)
               for focus in (False, True) for weak in (False, True)}
    no_one: frozenset[int] = frozenset()
    candidates = []
    for president_id, booth_id, district_id, region_id, seat, strength, last_day, times_called in rows:
        focus, weak = seat.casefold() in focus_seats, strength is Strength.weak
        callers = recent.get(president_id)
        candidates.append(Candidate(president_id, booth_id, district_id, region_id, focus, weak, last_day,
                                    weights[focus, weak], frozenset(callers) if callers else no_one,
                                    times_called or 0))
    taken = set((await session.execute(
        select(Assignment.booth_president_id).where(Assignment.day == day))).scalars())
    return candidates, taken


async def due_call_backs(session: AsyncSession, *, day: date) -> dict[int, list[int]]:
    """Booth presidents each caller asked to call again on or before `day`, not given to anyone since.

    Only the latest report on a call counts: a later "talked" on the same call cancels the call-back.
    """
    rows = (await session.execute(
        select(Assignment.id, Assignment.office_bearer_id, Assignment.booth_president_id, Assignment.day,
               CallReport.outcome, CallReport.call_back_on)
        .join(CallReport, CallReport.assignment_id == Assignment.id)
        .where(Assignment.day >= day - timedelta(days=CALL_BACK_LOOKBACK_DAYS), Assignment.day < day)
        .where(Assignment.id.in_(select(CallReport.assignment_id).where(
            and_(CallReport.call_back_on.is_not(None), CallReport.call_back_on <= day))))
        .order_by(Assignment.id, CallReport.reported_at, CallReport.id))).all()
    latest = {row[0]: row for row in rows}
    called_since = dict((await session.execute(
        select(Assignment.booth_president_id, func.max(Assignment.day))
        .where(Assignment.booth_president_id.in_(
            select(Assignment.booth_president_id).join(CallReport, CallReport.assignment_id == Assignment.id)
            .where(Assignment.day >= day - timedelta(days=CALL_BACK_LOOKBACK_DAYS), Assignment.day < day,
                   CallReport.call_back_on.is_not(None), CallReport.call_back_on <= day)),
               Assignment.day < day)
        .group_by(Assignment.booth_president_id))).all()) if latest else {}
    due: dict[int, list[int]] = {}
    for _, person_id, president_id, assigned_on, outcome, call_back_on in sorted(
            latest.values(), key=lambda row: (row[5] or day, row[0])):
        if outcome is Outcome.call_back and call_back_on is not None and call_back_on <= day \
                and called_since.get(president_id) == assigned_on:
            due.setdefault(person_id, []).append(president_id)
    return due


@dataclass(frozen=True)
class Retry:
    """A call that did not connect, to be tried again: by whom, whom, and the attempt it will be."""

    office_bearer_id: int
    president_id: int
    attempt: int


async def due_retries(session: AsyncSession, *, day: date, max_attempts: int) -> list[Retry]:
    """Calls of the last `RETRY_LOOKBACK_DAYS` whose latest report did not connect, to try again on `day`.

    Only a booth president's latest call counts (given to no one since), and only one with attempts left;
    the oldest come first. One set-based query over the lookback window, whatever the roster's size.
    """
    later_report = aliased(CallReport)
    later_call = aliased(Assignment)
    rows = await session.execute(
        select(Assignment.office_bearer_id, Assignment.booth_president_id, Assignment.attempt)
        .join(CallReport, CallReport.assignment_id == Assignment.id)
        .where(Assignment.day >= day - timedelta(days=RETRY_LOOKBACK_DAYS), Assignment.day < day,
               Assignment.attempt < max_attempts, CallReport.outcome.in_(NOT_CONNECTED))
        .where(~exists().where(later_report.assignment_id == CallReport.assignment_id, or_(
            later_report.reported_at > CallReport.reported_at,
            and_(later_report.reported_at == CallReport.reported_at, later_report.id > CallReport.id))))
        .where(~exists().where(later_call.booth_president_id == Assignment.booth_president_id,
                               later_call.day > Assignment.day, later_call.day < day))
        .order_by(Assignment.day, Assignment.slot, Assignment.id))
    return [Retry(person_id, president_id, attempt + 1) for person_id, president_id, attempt in rows]


async def assign_day(session: AsyncSession, *, day: date, now: datetime, policy: RotationPolicy) -> int:
    """Fill every empty slot of `day` and return how many assignments this call stored.

    Safe to run twice or in two processes at once: the unique constraints drop whatever another run
    stored first. The cyclic garbage collector is paused meanwhile: the million short-lived candidates of a
    national roster would otherwise trigger it over and over for nothing (a third of the time).
    """
    callers = await load_callers(session, day=day, contacts_per_day=policy.contacts_per_day)
    if not callers:
        return 0
    call_backs = await due_call_backs(session, day=day)
    retries = await due_retries(session, day=day, max_attempts=policy.max_attempts)
    for retry in reversed(retries):
        call_backs.setdefault(retry.office_bearer_id, []).insert(0, retry.president_id)
    attempts = {retry.president_id: retry.attempt for retry in retries}
    callers = [Caller(c.office_bearer_id, c.district_ids, c.free_slots,
                      tuple(dict.fromkeys(call_backs.get(c.office_bearer_id, ())))) for c in callers]
    with _collector_paused():
        candidates, taken = await load_candidates(session, day=day, policy=policy)
        waiting = {p for ids in call_backs.values() for p in ids}
        candidates = [_first_in_line(c) if c.president_id in waiting else c for c in candidates]
        chosen = choose(callers, candidates, day, taken)
    if not chosen:
        return 0
    rows = [
        {"day": day, "office_bearer_id": person_id, "slot": slot,
         "booth_president_id": candidate.president_id, "booth_id": candidate.booth_id, "created_at": now,
         "attempt": attempts.get(candidate.president_id, 1)}
        for person_id, slot, candidate in chosen
    ]
    before = await count_assignments(session, day=day)
    for start in range(0, len(rows), 5000):
        await session.execute(insert_ignoring_conflicts(session, Assignment), rows[start:start + 5000])
    return await count_assignments(session, day=day) - before


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _first_in_line(candidate: Candidate) -> Candidate:
    """A call-back or a second attempt whose own caller cannot take it today goes to the front of the general
    queue."""
    return replace(candidate, last_called=None)


async def count_assignments(session: AsyncSession, *, day: date) -> int:
    """How many assignments are stored for `day`."""
    return (await session.execute(
        select(func.count()).select_from(Assignment).where(Assignment.day == day))).scalar_one()
