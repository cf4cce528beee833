"""Bulk seeding shared by the benchmarks: a synthetic roster at state or national scale, its office-bearers,
and fast loading of plain rows (COPY on PostgreSQL, chunked executemany on SQLite).

Everything is invented: place names past Uttar Pradesh's real map, people's names and mobile numbers.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.roster.geodata import DISTRICT_REGION, DISTRICT_SEATS, FOCUS_LOK_SABHA_SEATS, REGION_DISTRICTS
from bot.roster.synthetic import FIRST_NAMES, MOBILE_PREFIXES, SURNAMES, VILLAGE_ENDINGS, VILLAGE_STEMS
from models import Base, Role, Strength

DAY = date(2026, 12, 1)
"""The day the benchmarks measure: history is seeded before (and on) it."""
NOW = datetime(2026, 12, 1, 2, 30, tzinfo=UTC)
"""The clock at the start of the measured day (08:00 in India)."""
CHUNK_ROWS = 50_000
DISTRICT_INCHARGE_SHARE = 0.4
SPLIT_UP_DISTRICTS = 23  # 75 administrative districts + 23 city units = the party's 98 organisational districts
UP_BOOTHS = 162_000
UP_MANDALS = 1_900


@dataclass(frozen=True)
class OrganisationMap:
    """The places of one scale: names, and each unit's parent as an index into the parent list."""

    regions: list[str]
    districts: list[tuple[str, int]]
    lok_sabha: list[str]
    assemblies: list[tuple[int, str, int, int]]  # number, name, district index, Lok Sabha index
    focus_lok_sabha: list[str]


def up_map() -> OrganisationMap:
    """Uttar Pradesh: 6 regions, the 403 real assembly seats in 80 Lok Sabha seats, 98 organisational
    districts (the 23 districts with the most seats split into a rural district and a "Mahanagar")."""
    regions = list(REGION_DISTRICTS)
    split = set(sorted(DISTRICT_SEATS, key=lambda d: (-len(DISTRICT_SEATS[d]), d))[:SPLIT_UP_DISTRICTS])
    districts: list[tuple[str, int]] = []
    lok_sabha: list[str] = []
    assemblies: list[tuple[int, str, int, int]] = []
    for name, seats in DISTRICT_SEATS.items():
        region = regions.index(DISTRICT_REGION[name])
        city_seats = len(seats) // 3 if name in split else 0
        if city_seats:
            districts.append((f"{name} Mahanagar", region))
        districts.append((name, region))
        for position, seat in enumerate(seats):
            if seat.lok_sabha not in lok_sabha:
                lok_sabha.append(seat.lok_sabha)
            district = len(districts) - (2 if position < city_seats else 1)
            assemblies.append((seat.number, seat.name, district, lok_sabha.index(seat.lok_sabha)))
    return OrganisationMap(regions, districts, lok_sabha, assemblies, list(FOCUS_LOK_SABHA_SEATS))


def india_map() -> OrganisationMap:
    """India, invented: 36 regions (one per state or union territory), 800 districts, 543 Lok Sabha seats
    (every sixth a focus seat) and 4,120 assembly seats, each unit numbered inside its parent's range."""
    regions = [f"Region {n:02d}" for n in range(1, 37)]
    districts = [(f"District {n:03d}", n * len(regions) // 800) for n in range(800)]
    lok_sabha = [f"Lok Sabha {n:03d}" for n in range(1, 544)]
    assemblies = [(n + 1, f"Assembly {n + 1}", n * len(districts) // 4120, n * len(lok_sabha) // 4120)
                  for n in range(4120)]
    return OrganisationMap(regions, districts, lok_sabha, assemblies, lok_sabha[::6])


def spread(total: int, parts: int) -> list[int]:
    """`total` split into `parts` whole numbers that differ by at most one."""
    return [total * (i + 1) // parts - total * i // parts for i in range(parts)]


def mobile_numbers(rng: random.Random, count: int) -> list[str]:
    """`count` different random Indian mobile numbers in E.164, from the ranges `bot.roster.synthetic` uses."""
    per_prefix = 10 ** 8
    picks = rng.sample(range(len(MOBILE_PREFIXES) * per_prefix), count)
    return [f"+91{MOBILE_PREFIXES[i // per_prefix]}{i % per_prefix:08d}" for i in picks]


def invented_name(rng: random.Random) -> str:
    """A common first name and a common surname, combined at random, in either script."""
    script = rng.getrandbits(1)
    return f"{rng.choice(FIRST_NAMES)[script]} {rng.choice(SURNAMES)[script]}"


def village(index: int) -> str:
    """The `index`-th invented village name (stems and endings of `bot.roster.synthetic`), cycling."""
    stem, ending = divmod(index % (len(VILLAGE_STEMS) * len(VILLAGE_ENDINGS)), len(VILLAGE_ENDINGS))
    return VILLAGE_STEMS[stem][0] + VILLAGE_ENDINGS[ending][0]


@dataclass
class Roster:
    """What the seeder generated and later steps need: each district's contiguous booth id range."""

    organisation: OrganisationMap
    district_booths: list[range] = field(default_factory=list)


class BulkLoader:
    """Fast inserts of plain tuples: COPY on PostgreSQL, chunked executemany on SQLite.

    Values go through each column type's bind processor first, so dates, timestamps, booleans and enums
    are stored exactly as the application would store them.
    """

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self.dialect = conn.dialect
        self.rows_loaded: dict[str, int] = defaultdict(int)

    async def load(self, table: Table, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
        """Insert `rows` (tuples in the order of `columns`) into `table`."""
        processors = [table.c[name].type.dialect_impl(self.dialect).bind_processor(self.dialect)
                      for name in columns]
        rows = iter(rows)
        while chunk := list(itertools.islice(rows, CHUNK_ROWS)):
            if any(processors):
                chunk = [tuple(p(v) if p and v is not None else v for p, v in zip(processors, row, strict=True))
                         for row in chunk]
            if self.dialect.name == "postgresql":
                raw = await self.conn.get_raw_connection()
                await raw.driver_connection.copy_records_to_table(table.name, records=chunk, columns=list(columns))
            else:
                placeholders = ", ".join("?" * len(columns))
                await self.conn.exec_driver_sql(
                    f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({placeholders})", chunk)
            self.rows_loaded[table.name] += len(chunk)


def tables() -> dict[str, Table]:
    """The project's tables by name."""
    return dict(Base.metadata.tables)


async def seed_roster(loader: BulkLoader, organisation: OrganisationMap, *, booths: int, mandals: int,
                      rng: random.Random) -> Roster:
    """Regions, districts, seats and the places of `organisation`, `mandals` mandals and `booths` booths
    (20 % weak), and one booth president per booth."""
    t = tables()
    roster = Roster(organisation)
    await loader.load(t["regions"], ("id", "name"), ((i + 1, name) for i, name in enumerate(organisation.regions)))
    await loader.load(t["districts"], ("id", "name", "region_id"),
                      ((i + 1, name, region + 1) for i, (name, region) in enumerate(organisation.districts)))
    await loader.load(t["lok_sabha_seats"], ("id", "name"),
                      ((i + 1, name) for i, name in enumerate(organisation.lok_sabha)))
    await loader.load(t["assembly_seats"], ("id", "number", "name", "district_id", "lok_sabha_id"),
                      ((i + 1, number, name, district + 1, seat + 1)
                       for i, (number, name, district, seat) in enumerate(organisation.assemblies)))

    assemblies = organisation.assemblies
    mandal_counts = spread(mandals, len(assemblies))
    booth_counts = spread(booths, len(assemblies))
    mandal_rows: list[tuple[int, int, str]] = []
    booth_rows: list[tuple[int, int, int, str, int, Strength | None]] = []
    first_booth_of_district: dict[int, int] = {}
    for assembly_index, (mandal_count, booth_count) in enumerate(zip(mandal_counts, booth_counts, strict=True)):
        first_booth_of_district.setdefault(assemblies[assembly_index][2], len(booth_rows) + 1)
        first_mandal = len(mandal_rows) + 1
        mandal_rows += [(first_mandal + k, assembly_index + 1, f"{village(first_mandal + k)} Mandal")
                    for k in range(mandal_count)]
        booth_number = itertools.count(1)
        for mandal_offset, per_mandal in enumerate(spread(booth_count, mandal_count)):
            for _ in range(per_mandal):
                booth_id = len(booth_rows) + 1
                roll = rng.random()
                strength = (None if roll < 0.05 else Strength.weak if roll < 0.25
                            else Strength.strong if roll < 0.55 else Strength.moderate)
                booth_rows.append((booth_id, assembly_index + 1, next(booth_number),
                               f"Primary School {village(booth_id * 7)}", first_mandal + mandal_offset, strength))
    ends = [*sorted(first_booth_of_district.values())[1:], len(booth_rows) + 1]
    roster.district_booths = [range(start, end) for start, end in zip(sorted(first_booth_of_district.values()),
                                                                      ends, strict=True)]
    await loader.load(t["mandals"], ("id", "assembly_id", "name"), mandal_rows)
    await loader.load(t["booths"], ("id", "assembly_id", "number", "name", "mandal_id", "strength"), booth_rows)
    del mandal_rows, booth_rows

    phones = mobile_numbers(rng, booths)
    reported_wrong = NOW - timedelta(days=20)
    await loader.load(t["booth_presidents"], ("id", "booth_id", "name", "phone", "active", "phone_reported_wrong_at"),
                      ((i + 1, i + 1, invented_name(rng), phone, rng.random() >= 0.01,
                        reported_wrong if rng.random() < 0.005 else None) for i, phone in enumerate(phones)))
    return roster


@dataclass(frozen=True)
class People:
    """The seeded callers who are not paused (`ids`) and, for each, the district indexes they may be given
    (all of them when None); the organisation secretary's id."""

    ids: list[int]
    scopes: list[list[int] | None]
    distinct_scopes: int
    secretary_id: int


async def seed_people(loader: BulkLoader, roster: Roster, callers: int, rng: random.Random) -> People:
    """`callers` registered callers (40% district in-charges with one to three districts of one region,
    the rest state office-bearers, half of them with a region), 2% of them paused, plus a secretary and an
    admin who receive nothing."""
    t = tables()
    organisation = roster.organisation
    region_districts: dict[int, list[int]] = defaultdict(list)
    for index, (_, region) in enumerate(organisation.districts):
        region_districts[region].append(index)
    incharges = round(callers * DISTRICT_INCHARGE_SHARE)
    people: list[tuple[Any, ...]] = []
    charges: list[tuple[int, int]] = []
    ids: list[int] = []
    scopes: list[list[int] | None] = []
    phones = mobile_numbers(random.Random(rng.random()), callers + 2)
    paused_until = DAY + timedelta(days=7)
    for n in range(callers + 2):
        person_id = n + 1
        region: int | None = None
        if n < incharges:
            role = Role.district_incharge
            first = n % len(organisation.districts)
            region = organisation.districts[first][1]
            neighbours = [d for d in region_districts[region] if d != first]
            extra = rng.choices((0, 1, 2), weights=(6, 3, 1))[0]
            scope: list[int] | None = [first, *rng.sample(neighbours, min(extra, len(neighbours)))]
            charges += [(person_id, d + 1) for d in scope]
        elif n < callers:
            role = Role.state_office_bearer
            if rng.random() < 0.5:
                region = rng.randrange(len(organisation.regions))
                scope = region_districts[region]
            else:
                scope = None
        else:
            role = Role.organisation_secretary if n == callers else Role.admin
            scope = []
        paused = n < callers and rng.random() < 0.02
        if n < callers and not paused:
            ids.append(person_id)
            scopes.append(scope)
        people.append((person_id, invented_name(rng), phones[n], role, None if region is None else region + 1,
                       10 ** 9 + person_id, "hi", True, NOW - timedelta(days=60), paused_until if paused else None))
    await loader.load(t["office_bearers"], ("id", "name", "phone", "role", "region_id", "telegram_user_id",
                                            "language", "active", "registered_at", "paused_until"), people)
    await loader.load(t["office_bearer_districts"], ("office_bearer_id", "district_id"), charges)
    distinct = {None if s is None else frozenset(s) for s in scopes}
    return People(ids, scopes, len(distinct), secretary_id=callers + 1)


async def clear_people(conn: AsyncConnection) -> None:
    """Remove office-bearers and everything that hangs off them, keeping the roster."""
    names = ("needs", "back_checks", "call_reports", "assignments", "deliveries", "office_bearer_districts",
             "office_bearers")
    if conn.dialect.name == "postgresql":
        await conn.execute(text(f"TRUNCATE {', '.join(names)} CASCADE"))
    else:
        for name in names:
            await conn.execute(tables()[name].delete())


async def finish_load(engine: AsyncEngine) -> None:
    """After a bulk load: move PostgreSQL's id sequences past the loaded ids and refresh planner statistics
    (what autovacuum would do soon after), so that the measured run sees a settled database."""
    if engine.dialect.name != "postgresql":
        return
    async with engine.connect() as conn:
        for table in ("assignments", "call_reports", "office_bearers", "deliveries", "needs", "back_checks"):
            await conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"coalesce(max(id), 0) + 1, false) FROM {table}"))
        await conn.commit()
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("VACUUM ANALYZE"))


def maintenance_url(base_url: str) -> str:
    """The server's `postgres` database, from which benchmark databases are created and dropped."""
    return make_url(base_url).set(database="postgres").render_as_string(hide_password=False)


async def create_postgres_database(base_url: str, database: str) -> str:
    """A fresh, empty benchmark database named `database` on `base_url`'s server; returns its URL."""
    admin = create_async_engine(maintenance_url(base_url), isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{database}"'))
    await admin.dispose()
    return make_url(base_url).set(database=database).render_as_string(hide_password=False)


async def drop_postgres_database(base_url: str, database: str) -> None:
    """Drop the benchmark database named `database`."""
    admin = create_async_engine(maintenance_url(base_url), isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    await admin.dispose()
