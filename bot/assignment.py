"""Who calls whom today: the assignment policy and its persistence.

The policy, in order of precedence:
- only active, registered, reachable state office-bearers and district in-charges receive contacts;
- a district in-charge gets booths of the districts in their charge; a state office-bearer gets booths of
  their region, or of the whole state when no region is set;
- a booth president is given to at most one person a day, and never while their number is marked wrong;
- the least recently called come first (never-called before everyone else), and among equals booths in
  focus Lok Sabha seats, then weak booths, come first; a per-day shuffle spreads the rest;
- people with the narrowest scope choose first, so that the state-wide callers do not take the booths a
  district in-charge depends on.
The database has the last word: unique constraints turn a second run, or a run in another process, into
no-ops, and what is stored is read back as the truth.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.sqlutil import insert_ignoring_conflicts
from models import (
    CALLER_ROLES,
    AssemblySeat,
    Assignment,
    Booth,
    BoothPresident,
    District,
    LokSabhaSeat,
    OfficeBearer,
    OfficeBearerDistrict,
    Role,
    Strength,
)


@dataclass(frozen=True)
class Candidate:
    """A booth president who may be called, with what the policy orders them by."""

    president_id: int
    booth_id: int
    district_id: int
    region_id: int
    focus: bool
    weak: bool
    last_called: date | None


@dataclass(frozen=True)
class Caller:
    """An office-bearer due contacts today, with the districts they may be given (None: whole state)."""

    office_bearer_id: int
    district_ids: frozenset[int] | None
    free_slots: tuple[int, ...]


def _shuffle_key(president_id: int, day: date) -> int:
    """A cheap, deterministic per-day scramble so that equals are not always taken in id order."""
    return (president_id * 2654435761 + day.toordinal() * 40503) % 4294967291


def priority(candidate: Candidate, day: date) -> tuple[int, bool, bool, int]:
    """Sort key: least recently called first, then focus seats, then weak booths, then the day's shuffle."""
    last = candidate.last_called.toordinal() if candidate.last_called else 0
    return (last, not candidate.focus, not candidate.weak, _shuffle_key(candidate.president_id, day))


def choose(callers: Sequence[Caller], candidates: Iterable[Candidate], day: date,
           taken: Collection[int] = ()) -> list[tuple[int, int, Candidate]]:
    """The pure policy: (office_bearer_id, slot, candidate) for every free slot that can be filled.

    `taken` holds booth presidents already given to someone today.
    """
    ordered = sorted(candidates, key=lambda c: priority(c, day))
    used = set(taken)
    pools: dict[frozenset[int] | None, list[Candidate]] = {}
    cursors: dict[frozenset[int] | None, int] = {}
    for caller in callers:
        scope = caller.district_ids
        if scope not in pools:
            pools[scope] = [c for c in ordered if scope is None or c.district_id in scope]
            cursors[scope] = 0

    chosen: list[tuple[int, int, Candidate]] = []
    for caller in sorted(callers, key=lambda c: (len(pools[c.district_ids]), c.office_bearer_id)):
        pool, scope = pools[caller.district_ids], caller.district_ids
        for slot in caller.free_slots:
            index = cursors[scope]
            while index < len(pool) and pool[index].president_id in used:
                index += 1
            cursors[scope] = index
            if index == len(pool):
                break
            candidate = pool[index]
            used.add(candidate.president_id)
            chosen.append((caller.office_bearer_id, slot, candidate))
    return chosen


async def load_callers(session: AsyncSession, *, day: date, contacts_per_day: int) -> list[Caller]:
    """Office-bearers who should receive contacts on `day`, with the slots still empty for them."""
    people = (await session.execute(
        select(OfficeBearer.id, OfficeBearer.role, OfficeBearer.region_id).where(
            OfficeBearer.active,
            OfficeBearer.role.in_(CALLER_ROLES),
            OfficeBearer.telegram_user_id.is_not(None),
            OfficeBearer.unreachable_since.is_(None),
        ))).all()
    charges: dict[int, set[int]] = {}
    for person_id, district_id in await session.execute(
            select(OfficeBearerDistrict.office_bearer_id, OfficeBearerDistrict.district_id)):
        charges.setdefault(person_id, set()).add(district_id)
    regions: dict[int, set[int]] = {}
    for district_id, region_id in await session.execute(select(District.id, District.region_id)):
        regions.setdefault(region_id, set()).add(district_id)
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
                          focus_lok_sabha: Collection[str]) -> tuple[list[Candidate], set[int]]:
    """Booth presidents who may be called on `day`, and those already given to someone that day."""
    last_called = (select(Assignment.booth_president_id, func.max(Assignment.day).label("last_day"))
                   .where(Assignment.day < day)
                   .group_by(Assignment.booth_president_id).subquery())
    rows = await session.execute(
        select(BoothPresident.id, Booth.id, District.id, District.region_id, LokSabhaSeat.name,
               Booth.strength, last_called.c.last_day)
        .join(Booth, BoothPresident.booth_id == Booth.id)
        .join(AssemblySeat, Booth.assembly_id == AssemblySeat.id)
        .join(District, AssemblySeat.district_id == District.id)
        .join(LokSabhaSeat, AssemblySeat.lok_sabha_id == LokSabhaSeat.id)
        .outerjoin(last_called, last_called.c.booth_president_id == BoothPresident.id)
        .where(BoothPresident.active, BoothPresident.phone_reported_wrong_at.is_(None)))
    focus = {name.casefold() for name in focus_lok_sabha}
    candidates = [
        Candidate(president_id, booth_id, district_id, region_id, seat.casefold() in focus,
                  strength is Strength.weak, last_day)
        for president_id, booth_id, district_id, region_id, seat, strength, last_day in rows
    ]
    taken = set((await session.execute(
        select(Assignment.booth_president_id).where(Assignment.day == day))).scalars())
    return candidates, taken


async def assign_day(session: AsyncSession, *, day: date, now: datetime, contacts_per_day: int,
                     focus_lok_sabha: Collection[str]) -> int:
    """Fill every empty slot of `day` and return how many assignments this call stored.

    Safe to run twice or in two processes at once: the unique constraints drop whatever another run
    stored first.
    """
    callers = await load_callers(session, day=day, contacts_per_day=contacts_per_day)
    if not callers:
        return 0
    candidates, taken = await load_candidates(session, day=day, focus_lok_sabha=focus_lok_sabha)
    chosen = choose(callers, candidates, day, taken)
    if not chosen:
        return 0
    rows = [
        {"day": day, "office_bearer_id": person_id, "slot": slot,
         "booth_president_id": candidate.president_id, "booth_id": candidate.booth_id, "created_at": now}
        for person_id, slot, candidate in chosen
    ]
    before = await count_assignments(session, day=day)
    for start in range(0, len(rows), 5000):
        await session.execute(insert_ignoring_conflicts(session, Assignment), rows[start:start + 5000])
    return await count_assignments(session, day=day) - before


async def count_assignments(session: AsyncSession, *, day: date) -> int:
    """How many assignments are stored for `day`."""
    return (await session.execute(
        select(func.count()).select_from(Assignment).where(Assignment.day == day))).scalar_one()
