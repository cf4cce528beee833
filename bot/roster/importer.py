"""The all-or-nothing import of roster tables into the database: booths with their presidents, and
office-bearers; a dry run computes the same report without writing.

How an import behaves:
- Every row is validated before anything is written (see `bot.roster.validation`); if any row is wrong,
  `RosterInvalid` lists every error and nothing is written.
- Booths are keyed by assembly number + booth number, booth presidents and office-bearers by phone.
  Names of regions, districts, seats and mandals are matched like headers; the file's spelling wins.
- People missing from a new file are deactivated, never deleted; people in it are re-activated. An
  office-bearer keeps their Telegram registration and language across imports.
- An empty `strength` keeps the strength already stored for the booth.
- Booths missing from a new booths file stay (their history does) but lose their active president.
- Office-bearers are imported after booths: their regions and districts must exist.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Container, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.i18n import translate
from bot.roster.files import RosterTable
from bot.roster.validation import (
    BoothLine,
    Progress,
    RowProgress,
    fold,
    validate_booths,
    validate_office_bearers,
)
from models import (
    AssemblySeat,
    Booth,
    BoothPresident,
    District,
    LokSabhaSeat,
    Mandal,
    OfficeBearer,
    OfficeBearerDistrict,
    Region,
)

Key = TypeVar("Key", bound=Hashable)

_BATCH = 5_000


@dataclass(frozen=True)
class _Table(Generic[Key]):
    """How one table is synchronised: the model, the columns an import sets, and a row's natural key."""

    model: type[Any]
    columns: tuple[str, ...]
    key: Callable[[Mapping[str, Any]], Key]


_REGIONS = _Table(Region, ("name",), lambda v: fold(v["name"]))
_DISTRICTS = _Table(District, ("name", "region_id"), lambda v: fold(v["name"]))
_LOK_SABHA_SEATS = _Table(LokSabhaSeat, ("name",), lambda v: fold(v["name"]))
_ASSEMBLY_SEATS = _Table(AssemblySeat, ("number", "name", "district_id", "lok_sabha_id"), lambda v: v["number"])
_MANDALS = _Table(Mandal, ("assembly_id", "name"), lambda v: (v["assembly_id"], fold(v["name"])))
_BOOTHS = _Table(Booth, ("assembly_id", "number", "name", "mandal_id", "strength"),
                 lambda v: (v["assembly_id"], v["number"]))
_PRESIDENTS = _Table(BoothPresident, ("phone", "name", "booth_id", "active"), lambda v: v["phone"])
_OFFICE_BEARERS = _Table(OfficeBearer, ("phone", "name", "role", "region_id", "active"), lambda v: v["phone"])

Stored = dict[Key, tuple[int, dict[str, Any]]]


@dataclass(frozen=True)
class EntityCounts:
    """How many rows of one kind an import created, changed and deactivated."""

    created: int = 0
    updated: int = 0
    deactivated: int = 0


@dataclass
class _Synced(Generic[Key]):
    """The outcome of synchronising one table: the id of every key, and which keys were new or changed.

    In a dry run new keys get negative stand-in ids, so that later tables can still be compared.
    """

    ids: dict[Key, int]
    created: list[Key] = field(default_factory=list)
    updated: list[Key] = field(default_factory=list)

    def counts(self, deactivated: int = 0) -> EntityCounts:
        """The counts for the import report."""
        return EntityCounts(len(self.created), len(self.updated), deactivated)


def _batches(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    """Consecutive slices of at most `_BATCH` items, to keep statements and memory bounded."""
    for start in range(0, len(items), _BATCH):
        yield items[start:start + _BATCH]


async def _load(session: AsyncSession, table: _Table[Key]) -> Stored[Key]:
    """Every stored row of a table as key → (id, the columns an import sets), in one query."""
    model = table.model
    result = await session.execute(select(model.id, *(getattr(model, c) for c in table.columns)))
    stored: Stored[Key] = {}
    for record in result:
        values = dict(zip(table.columns, record[1:], strict=True))
        stored[table.key(values)] = (record[0], values)
    return stored


async def _sync(session: AsyncSession, table: _Table[Key], stored: Stored[Key], wanted: Iterable[dict[str, Any]],
                *, dry_run: bool, progress: RowProgress | None = None) -> _Synced[Key]:
    """Insert the wanted rows that are new and update those that differ, in bulk (executemany) statements.

    `wanted` holds full rows (every column of `table.columns`); rows with the same key collapse to the
    last one. Inserts go through Core (the ORM's bulk layer only adds per-row work here) and the ids of new
    rows are read back in one query afterwards (RETURNING with ordered parameters makes SQLite insert row
    by row). With `dry_run` nothing is written but the outcome is computed all the same.
    """
    rows = {table.key(values): values for values in wanted}
    synced = _Synced(ids={key: stored_id for key, (stored_id, _) in stored.items()})
    for batch in _batches(list(rows.items())):
        new = [values for key, values in batch if key not in stored]
        changed = [(key, values) for key, values in batch if key in stored and stored[key][1] != values]
        if new and not dry_run:
            await session.execute(insert(table.model.__table__), new)
        if changed and not dry_run:
            await session.execute(update(table.model),
                                  [{"id": synced.ids[key], **values} for key, values in changed])
        synced.created += [key for key, _ in batch if key not in stored]
        synced.updated += [key for key, _ in changed]
        if progress is not None:
            progress.advance(len(batch))
    if synced.created and dry_run:
        synced.ids.update((key, -number) for number, key in enumerate(synced.created, start=1))
    elif synced.created:
        synced.ids = {key: stored_id for key, (stored_id, _) in (await _load(session, table)).items()}
    return synced


async def _deactivate_absent(session: AsyncSession, table: _Table[Key], stored: Stored[Key],
                             present: Container[Key], *, dry_run: bool) -> int:
    """Mark inactive the stored people whose key is not in the new file; their history stays."""
    absent = [stored_id for key, (stored_id, values) in stored.items() if values["active"] and key not in present]
    if absent and not dry_run:
        for batch in _batches(absent):
            await session.execute(update(table.model), [{"id": stored_id, "active": False} for stored_id in batch])
    return len(absent)


@dataclass(frozen=True)
class ImportReport:
    """What an import did — or, in a dry run, would do: rows read and counts per kind of record."""

    kind: str
    rows: int
    dry_run: bool
    entities: dict[str, EntityCounts]

    def detail(self) -> dict[str, object]:
        """The counts as plain data for the audit log (no personal data)."""
        return {"rows": self.rows, **{name: vars(counts) for name, counts in self.entities.items()}}

    def describe(self, language: str) -> str:
        """The counts as one line for the person who ran the import; kinds with nothing to do are left out."""
        parts = [translate(language, "roster.report.rows", rows=self.rows)]
        changed = {name: counts for name, counts in self.entities.items() if counts != EntityCounts()}
        if not changed:
            parts.append(translate(language, "roster.report.unchanged"))
        for name, counts in changed.items():
            key = "roster.report.entity_deactivated" if counts.deactivated else "roster.report.entity"
            parts.append(translate(language, key, entity=translate(language, f"roster.entity.{name}"),
                                   created=counts.created, updated=counts.updated,
                                   deactivated=counts.deactivated))
        return "; ".join(parts)


async def _audit(session: AsyncSession, report: ImportReport, *, source: str, actor_label: str,
                 now: datetime) -> None:
    """One audit-log entry for an import that wrote to the database."""
    audit.record(session, audit.AuditAction(f"roster_import_{report.kind}"), at=now, actor_label=actor_label,
                 subject=f"file:{source}", detail=report.detail())
    await session.flush()


async def validate_and_import_booths(
    session: AsyncSession,
    table: RosterTable,
    *,
    dry_run: bool,
    progress: Progress | None = None,
    actor_label: str = "cli",
    now: datetime | None = None,
) -> ImportReport:
    """Validate a booths file and, if it is clean and not a dry run, upsert the map, booths and presidents.

    Raises `RosterInvalid` with every error, having written nothing. `progress(done, total)` is called with
    rows done out of all data rows. The caller commits.
    """
    tracker = RowProgress(progress, len(table.rows), passes=3)
    lines = validate_booths(table, tracker)

    async def sync(map_table: _Table[Key], wanted: Iterable[dict[str, Any]]) -> _Synced[Key]:
        """Synchronise one of the small tables of the map against what is stored."""
        return await _sync(session, map_table, await _load(session, map_table), wanted, dry_run=dry_run)

    regions = await sync(_REGIONS, ({"name": line.region} for line in lines))
    districts = await sync(_DISTRICTS, ({"name": line.district, "region_id": regions.ids[fold(line.region)]}
                                        for line in lines))
    lok_sabha_seats = await sync(_LOK_SABHA_SEATS, ({"name": line.lok_sabha} for line in lines))
    assemblies = await sync(_ASSEMBLY_SEATS, (
        {"number": line.assembly_no, "name": line.assembly, "district_id": districts.ids[fold(line.district)],
         "lok_sabha_id": lok_sabha_seats.ids[fold(line.lok_sabha)]} for line in lines))
    mandals = await sync(_MANDALS, ({"assembly_id": assemblies.ids[line.assembly_no], "name": line.mandal}
                                    for line in lines))
    stored_booths = await _load(session, _BOOTHS)

    def booth_row(line: BoothLine) -> dict[str, Any]:
        key = (assemblies.ids[line.assembly_no], line.booth_no)
        kept = stored_booths[key][1]["strength"] if key in stored_booths else None
        return {"assembly_id": key[0], "number": line.booth_no, "name": line.booth_name,
                "mandal_id": mandals.ids[(key[0], fold(line.mandal))],
                "strength": line.strength if line.strength is not None else kept}

    booths = await _sync(session, _BOOTHS, stored_booths, map(booth_row, lines), dry_run=dry_run,
                         progress=tracker)
    stored_presidents = await _load(session, _PRESIDENTS)
    presidents = await _sync(session, _PRESIDENTS, stored_presidents, (
        {"phone": line.phone, "name": line.president_name, "active": True,
         "booth_id": booths.ids[(assemblies.ids[line.assembly_no], line.booth_no)]} for line in lines),
        dry_run=dry_run, progress=tracker)
    deactivated = await _deactivate_absent(session, _PRESIDENTS, stored_presidents,
                                           {line.phone for line in lines}, dry_run=dry_run)
    report = ImportReport("booths", len(lines), dry_run, {
        "regions": regions.counts(), "districts": districts.counts(),
        "lok_sabha_seats": lok_sabha_seats.counts(), "assembly_seats": assemblies.counts(),
        "mandals": mandals.counts(), "booths": booths.counts(), "booth_presidents": presidents.counts(deactivated),
    })
    if not dry_run:
        await _audit(session, report, source=table.source, actor_label=actor_label, now=now or datetime.now(UTC))
    return report


async def validate_and_import_office_bearers(
    session: AsyncSession,
    table: RosterTable,
    *,
    dry_run: bool,
    progress: Progress | None = None,
    actor_label: str = "cli",
    now: datetime | None = None,
) -> ImportReport:
    """Validate an office-bearers file and, if clean and not a dry run, upsert the people and their districts.

    Regions and districts must already exist (import booths first). Telegram registrations and chosen
    languages are kept. Raises `RosterInvalid` with every error, having written nothing. The caller commits.
    """
    tracker = RowProgress(progress, len(table.rows), passes=2)
    regions = {fold(name): region_id for region_id, name in await session.execute(select(Region.id, Region.name))}
    districts = {fold(name): (district_id, region_id) for district_id, name, region_id
                 in await session.execute(select(District.id, District.name, District.region_id))}
    lines = validate_office_bearers(table, tracker, regions, districts)

    stored = await _load(session, _OFFICE_BEARERS)
    people = await _sync(session, _OFFICE_BEARERS, stored, (
        {"phone": line.phone, "name": line.name, "role": line.role, "region_id": line.region_id, "active": True}
        for line in lines), dry_run=dry_run, progress=tracker)
    deactivated = await _deactivate_absent(session, _OFFICE_BEARERS, stored, {line.phone for line in lines},
                                           dry_run=dry_run)

    stored_links: defaultdict[int, set[int]] = defaultdict(set)
    for person_id, district_id in await session.execute(
            select(OfficeBearerDistrict.office_bearer_id, OfficeBearerDistrict.district_id)):
        stored_links[person_id].add(district_id)
    relinked = [line for line in lines if stored_links[people.ids[line.phone]] != line.district_ids]
    if relinked and not dry_run:
        relinked_ids = [people.ids[line.phone] for line in relinked]
        for batch in _batches(relinked_ids):
            await session.execute(delete(OfficeBearerDistrict).where(OfficeBearerDistrict.office_bearer_id.in_(batch)))
        links = [{"office_bearer_id": people.ids[line.phone], "district_id": district_id}
                 for line in relinked for district_id in sorted(line.district_ids)]
        for batch in _batches(links):
            await session.execute(insert(OfficeBearerDistrict), list(batch))
    created = set(people.created)
    updated = set(people.updated) | {line.phone for line in relinked if line.phone not in created}
    report = ImportReport("office_bearers", len(lines), dry_run, {
        "office_bearers": EntityCounts(len(created), len(updated), deactivated)})
    if not dry_run:
        await _audit(session, report, source=table.source, actor_label=actor_label, now=now or datetime.now(UTC))
    return report
