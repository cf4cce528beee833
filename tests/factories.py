"""Plain factory functions that put synthetic rows into the real test database."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    AssemblySeat,
    Assignment,
    BackCheck,
    Booth,
    BoothPresident,
    CallReport,
    Delivery,
    DeliveryStatus,
    District,
    LokSabhaSeat,
    Mandal,
    Need,
    NeedCategory,
    NeedStatus,
    OfficeBearer,
    Outcome,
    Region,
    Role,
    Strength,
    Wellbeing,
)

_counter = itertools.count(1)
NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def synthetic_mobile(n: int | None = None) -> str:
    """A valid-looking, invented Indian mobile number in E.164 (not anyone's real number)."""
    serial = next(_counter) if n is None else n
    return f"+9195{serial:08d}"


async def _get_or_create(session: AsyncSession, model: type, **keys: object) -> object:
    found = (await session.execute(select(model).filter_by(**keys))).scalar_one_or_none()
    if found is None:
        found = model(**keys)
        session.add(found)
        await session.flush()
    return found


async def make_region(session: AsyncSession, name: str = "Awadh") -> Region:
    """A region by name, created once."""
    return await _get_or_create(session, Region, name=name)  # type: ignore[return-value]


async def make_district(session: AsyncSession, name: str = "Lucknow", region: str = "Awadh") -> District:
    """A district in a region, both created once."""
    found = (await session.execute(select(District).where(District.name == name))).scalar_one_or_none()
    if found is not None:
        return found
    district = District(name=name, region=await make_region(session, region))
    session.add(district)
    await session.flush()
    return district


async def make_booth(
    session: AsyncSession,
    *,
    district: str = "Lucknow",
    region: str = "Awadh",
    lok_sabha: str = "Lucknow",
    assembly_no: int = 172,
    assembly: str = "Lucknow North",
    mandal: str = "Aliganj",
    number: int | None = None,
    strength: Strength | None = Strength.moderate,
    president: str | None = None,
    phone: str | None = None,
) -> Booth:
    """A booth with its president, creating the map above it as needed."""
    district_row = await make_district(session, district, region)
    seat = (await session.execute(
        select(AssemblySeat).where(AssemblySeat.number == assembly_no))).scalar_one_or_none()
    if seat is None:
        lok_sabha_row = await _get_or_create(session, LokSabhaSeat, name=lok_sabha)
        seat = AssemblySeat(number=assembly_no, name=assembly, district=district_row,
                            lok_sabha=lok_sabha_row)
        session.add(seat)
        await session.flush()
    mandal_row = await _get_or_create(session, Mandal, assembly_id=seat.id, name=mandal)
    serial = next(_counter)
    booth = Booth(assembly=seat, number=number or serial, name=f"Primary School Village {serial}",
                  mandal=mandal_row, strength=strength)
    session.add(booth)
    await session.flush()
    session.add(BoothPresident(booth=booth, name=president or f"Booth President {serial}",
                               phone=phone or synthetic_mobile(), active=True))
    await session.flush()
    return booth


async def president_of(session: AsyncSession, booth: Booth) -> BoothPresident:
    """The active president of a booth."""
    return (await session.execute(select(BoothPresident).where(
        BoothPresident.booth_id == booth.id, BoothPresident.active))).scalar_one()


async def make_office_bearer(
    session: AsyncSession,
    *,
    name: str | None = None,
    role: Role = Role.state_office_bearer,
    region: str | None = None,
    districts: tuple[str, ...] = (),
    phone: str | None = None,
    telegram_user_id: int | None = None,
    language: str | None = None,
    active: bool = True,
) -> OfficeBearer:
    """An office-bearer; pass `telegram_user_id` to make them registered."""
    serial = next(_counter)
    person = OfficeBearer(
        name=name or f"Office Bearer {serial}",
        phone=phone or synthetic_mobile(),
        role=role,
        region=await make_region(session, region) if region else None,
        telegram_user_id=telegram_user_id,
        language=language,
        active=active,
        registered_at=NOW if telegram_user_id else None,
    )
    person.districts = [await make_district(session, d) for d in districts]
    session.add(person)
    await session.flush()
    return person


async def make_assignment(
    session: AsyncSession,
    *,
    office_bearer: OfficeBearer,
    booth: Booth,
    day: date = date(2026, 11, 20),
    slot: int = 1,
) -> Assignment:
    """A booth president given to an office-bearer on a day."""
    president = await president_of(session, booth)
    assignment = Assignment(day=day, office_bearer_id=office_bearer.id, slot=slot,
                            booth_president_id=president.id, booth_id=booth.id, created_at=NOW)
    session.add(assignment)
    await session.flush()
    return assignment


async def make_report(
    session: AsyncSession,
    assignment: Assignment,
    *,
    outcome: Outcome = Outcome.talked,
    position: Strength | None = None,
    needs: tuple[NeedCategory, ...] = (),
    notes: str | None = None,
    at: datetime = NOW,
    call_back_on: date | None = None,
) -> CallReport:
    """A call report on an assignment, with needs raised on it."""
    report = CallReport(
        assignment_id=assignment.id,
        outcome=outcome,
        call_back_on=call_back_on,
        wellbeing=Wellbeing.well if outcome is Outcome.talked else None,
        booth_position=position,
        notes=notes,
        reported_at=at,
    )
    session.add(report)
    await session.flush()
    for category in needs:
        session.add(Need(call_report_id=report.id, booth_id=assignment.booth_id, category=category,
                         created_at=at))
    await session.flush()
    return report


async def make_delivery(
    session: AsyncSession,
    *,
    office_bearer: OfficeBearer,
    day: date = date(2026, 11, 20),
    status: DeliveryStatus = DeliveryStatus.sent,
    error: str | None = None,
) -> Delivery:
    """An office-bearer's morning message of a day: sent, or failed with an error such as "blocked"."""
    delivery = Delivery(day=day, office_bearer_id=office_bearer.id, status=status, error=error,
                        attempts=1, updated_at=NOW)
    session.add(delivery)
    await session.flush()
    return delivery


async def make_need(
    session: AsyncSession,
    report: CallReport,
    *,
    category: NeedCategory = NeedCategory.other,
    detail: str | None = None,
    status: NeedStatus = NeedStatus.open,
) -> Need:
    """A need raised on a call report, with its words and how far it has been followed up."""
    assignment = await session.get_one(Assignment, report.assignment_id)
    need = Need(call_report_id=report.id, booth_id=assignment.booth_id, category=category, detail=detail,
                status=status, created_at=report.reported_at)
    session.add(need)
    await session.flush()
    return need


async def make_varanasi_booth(session: AsyncSession, *, number: int | None = None) -> Booth:
    """A booth in a second district and region (Varanasi, Kashi), for tests that need two of each."""
    return await make_booth(session, district="Varanasi", region="Kashi", lok_sabha="Varanasi", assembly_no=390,
                            assembly="Varanasi Cantt.", mandal="Sigra", number=number)


async def make_roster(session: AsyncSession, *, callers: int, booths: int, first_user_id: int = 5_000_000,
                      language: str | None = None) -> list[OfficeBearer]:
    """Many booths (one district) and many registered state office-bearers at once, for load tests.

    Office-bearer `i` has Telegram user id `first_user_id + i`.
    """
    first = await make_booth(session)
    serials = [next(_counter) for _ in range(booths - 1)]
    rows = [Booth(assembly_id=first.assembly_id, number=serial, name=f"Primary School Village {serial}",
                  mandal_id=first.mandal_id, strength=Strength.moderate) for serial in serials]
    session.add_all(rows)
    await session.flush()
    session.add_all([BoothPresident(booth_id=booth.id, name=f"Booth President {serial}",
                                    phone=synthetic_mobile(serial), active=True)
                     for booth, serial in zip(rows, serials, strict=True)])
    people = [OfficeBearer(name=f"Office Bearer {i}", phone=f"+9188{i:08d}", role=Role.state_office_bearer,
                           telegram_user_id=first_user_id + i, language=language, active=True, registered_at=NOW)
              for i in range(callers)]
    session.add_all(people)
    await session.flush()
    return people


async def make_back_check(
    session: AsyncSession,
    assignment: Assignment,
    *,
    asked_at: datetime | None = NOW,
    called: bool | None = None,
    spoke_about_needs: bool | None = None,
) -> BackCheck:
    """A back-check of a call, asked (by default) and answered as given (None: not answered)."""
    check = BackCheck(assignment_id=assignment.id, booth_president_id=assignment.booth_president_id,
                      created_at=NOW, asked_at=asked_at, called=called, spoke_about_needs=spoke_about_needs,
                      answered_at=asked_at if called is not None else None)
    session.add(check)
    await session.flush()
    return check
