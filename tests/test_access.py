"""Who sees what: every role against every scope, from the one definition in `bot.access`."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import (
    EVERY_BOOTH,
    Scope,
    Viewer,
    districts_in_charge,
    needs_scope,
    review_scope,
    sees_every_district,
    view_scope,
)
from bot.errors import NotAllowed
from bot.review.periods import Level
from models import OfficeBearer, Role
from tests.factories import make_district, make_office_bearer


async def _in_charge(session: AsyncSession, *districts: str) -> OfficeBearer:
    return await make_office_bearer(session, name="Meena Devi", role=Role.district_incharge, districts=districts)


@pytest.mark.parametrize("role", [Role.organisation_secretary, Role.admin])
async def test_the_secretary_and_admins_see_every_district_booth_and_call(session: AsyncSession, role: Role) -> None:
    person = await make_office_bearer(session, name="Asha Singh", role=role, region="Awadh")

    assert sees_every_district(person)
    assert Viewer.of(person) == Viewer(person.id, "Asha Singh", None, own_work_only=False)
    assert Viewer.of(person).sees_all
    assert Viewer.of(person).home() == (Level.state, 0)
    assert view_scope(person) is EVERY_BOOTH
    assert needs_scope(person) is EVERY_BOOTH
    assert review_scope(person) is None


async def test_a_district_in_charge_sees_the_districts_in_their_charge(session: AsyncSession) -> None:
    person = await _in_charge(session, "Lucknow", "Barabanki")
    charge = frozenset({(await make_district(session, "Lucknow")).id, (await make_district(session, "Barabanki")).id})

    assert not sees_every_district(person)
    assert districts_in_charge(person) == charge
    assert Viewer.of(person) == Viewer(person.id, "Meena Devi", charge, own_work_only=False)
    assert Viewer.of(person).home() == (Level.state, 0)
    assert view_scope(person) == Scope(district_ids=charge)
    assert needs_scope(person) == Scope(district_ids=charge)
    assert review_scope(person) == charge


async def test_a_district_in_charge_of_one_district_opens_on_it(session: AsyncSession) -> None:
    person = await _in_charge(session, "Lucknow")
    lucknow = await make_district(session, "Lucknow")

    assert Viewer.of(person).home() == (Level.district, lucknow.id)


async def test_a_district_in_charge_of_no_district_sees_nothing(session: AsyncSession) -> None:
    person = await _in_charge(session)

    assert districts_in_charge(person) == frozenset()
    assert Viewer.of(person).district_ids == frozenset()
    assert view_scope(person) == needs_scope(person) == Scope(district_ids=frozenset())
    assert review_scope(person) == frozenset()


@pytest.mark.parametrize("region", ["Awadh", None])
async def test_a_state_office_bearer_views_their_region_and_their_own_calls_only(
        session: AsyncSession, region: str | None) -> None:
    person = await make_office_bearer(session, name="Ravi Kumar", region=region, districts=("Lucknow",))

    assert not sees_every_district(person)
    assert Viewer.of(person) == Viewer(person.id, "Ravi Kumar", frozenset(), own_work_only=True)
    assert Viewer.of(person).home() == (Level.person, person.id)
    assert view_scope(person) == Scope(region_id=person.region_id)
    assert (view_scope(person) == EVERY_BOOTH) is (region is None)
    with pytest.raises(NotAllowed):
        needs_scope(person)
    with pytest.raises(NotAllowed):
        review_scope(person)


async def test_a_verifier_sees_no_booth_no_needs_and_no_calls_to_review(session: AsyncSession) -> None:
    person = await make_office_bearer(session, name="Kavita Singh", role=Role.verifier)

    assert not sees_every_district(person)
    for scope in (view_scope, needs_scope, review_scope):
        with pytest.raises(NotAllowed):
            scope(person)


def test_a_scope_covers_the_booths_of_its_districts_or_its_region() -> None:
    assert EVERY_BOOTH.covers(district_id=1, region_id=1)
    assert Scope(district_ids=frozenset({1})).covers(district_id=1, region_id=9)
    assert not Scope(district_ids=frozenset({1})).covers(district_id=2, region_id=9)
    assert Scope(region_id=9).covers(district_id=2, region_id=9)
    assert not Scope(region_id=9).covers(district_id=2, region_id=8)


def test_a_viewer_of_the_whole_state_is_nobody_and_sees_everything() -> None:
    viewer = Viewer.whole_state()

    assert (viewer.person_id, viewer.name, viewer.sees_all, viewer.home()) == (0, "", True, (Level.state, 0))
