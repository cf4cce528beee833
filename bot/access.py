"""Who sees what: the one definition of the districts, booths and calls each role may look at.

The organisation secretary and admins see every district. A district in-charge sees the districts in their
charge. A state office-bearer sees the booths of their region (every booth when they have none) and, in
progress views, only their own calls; they follow up no needs and review no calls.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, true

from bot.errors import NotAllowed
from bot.review.periods import Level
from models import AssemblySeat, District, OfficeBearer, Role

EVERY_DISTRICT_ROLES = (Role.organisation_secretary, Role.admin)
"""Roles that see every district, every booth and every booth president's number."""


PHONE_VERIFIER_ROLES = (Role.verifier,)
"""Roles given booth presidents' numbers to call back: only the numbers of the calls handed to them, each
showing written to the audit log (`AuditAction.verifier_number_shown`)."""


DASHBOARD_ROLES = (Role.organisation_secretary, Role.admin, Role.district_incharge)
"""Roles that may open the dashboard (the Mini App): those who review others' work."""


def uses_dashboard(person: OfficeBearer) -> bool:
    """Whether the person may open the dashboard: the secretary, admins and district in-charges."""
    return person.role in DASHBOARD_ROLES


def verifies_by_phone(person: OfficeBearer) -> bool:
    """Whether the person checks calls by phoning the booth president, and so may see those numbers."""
    return person.role in PHONE_VERIFIER_ROLES


def sees_every_district(person: OfficeBearer) -> bool:
    """Whether the person's role opens every district to them (the secretary and admins)."""
    return person.role in EVERY_DISTRICT_ROLES


def districts_in_charge(person: OfficeBearer) -> frozenset[int]:
    """The ids of the districts in the person's charge (their districts must be loaded)."""
    return frozenset(district.id for district in person.districts)


@dataclass(frozen=True)
class Viewer:
    """Who is looking at progress and what their role lets them see.

    The organisation secretary and admins see every district; a district in-charge sees the districts in
    their charge; a state office-bearer sees only their own calls.
    """

    person_id: int
    name: str
    district_ids: frozenset[int] | None
    own_work_only: bool

    @classmethod
    def of(cls, person: OfficeBearer) -> Viewer:
        """The viewer an office-bearer is (their districts must be loaded)."""
        if sees_every_district(person):
            return cls(person.id, person.name, None, own_work_only=False)
        if person.role is Role.district_incharge:
            return cls(person.id, person.name, districts_in_charge(person), own_work_only=False)
        return cls(person.id, person.name, frozenset(), own_work_only=True)

    @classmethod
    def whole_state(cls) -> Viewer:
        """A viewer of every district who is nobody in the roster, for reports made outside Telegram
        (`samvad report`). Its person id 0 matches no office-bearer, and its name is empty since a viewer's
        name is shown only in a view of their own calls, never in the state's."""
        return cls(0, "", None, own_work_only=False)

    @property
    def sees_all(self) -> bool:
        """Whether every district is open to this viewer (the secretary and admins)."""
        return self.district_ids is None

    def home(self) -> tuple[Level, int]:
        """Where their `/summary` opens: the state, their one district or all of them, or their own work."""
        if self.own_work_only:
            return Level.person, self.person_id
        if self.district_ids is not None and len(self.district_ids) == 1:
            return Level.district, next(iter(self.district_ids))
        return Level.state, 0


@dataclass(frozen=True)
class Scope:
    """The booths a person may look at: every booth, those of some districts, or those of one region."""

    district_ids: frozenset[int] | None = None
    region_id: int | None = None

    def condition(self) -> ColumnElement[bool]:
        """A condition on `AssemblySeat` (and `District`, joined to it) that keeps the booths in scope."""
        if self.district_ids is not None:
            return AssemblySeat.district_id.in_(self.district_ids)
        if self.region_id is not None:
            return District.region_id == self.region_id
        return true()

    def covers(self, district_id: int, region_id: int) -> bool:
        """Whether a booth of this district (in this region) is in scope."""
        if self.district_ids is not None:
            return district_id in self.district_ids
        return self.region_id is None or self.region_id == region_id


EVERY_BOOTH = Scope()


def view_scope(person: OfficeBearer) -> Scope:
    """The booths a person may view: all (secretary, admin), their districts (district in-charge), their
    region or the whole state (state office-bearer); anyone else (a verifier) none."""
    if sees_every_district(person):
        return EVERY_BOOTH
    if person.role is Role.district_incharge:
        return Scope(district_ids=districts_in_charge(person))
    if person.role is Role.state_office_bearer:
        return Scope(region_id=person.region_id)
    raise NotAllowed()


def needs_scope(person: OfficeBearer) -> Scope:
    """The booths whose needs a person follows up: all (secretary, admin) or their districts (district
    in-charge); a state office-bearer follows up none."""
    if sees_every_district(person):
        return EVERY_BOOTH
    if person.role is Role.district_incharge:
        return Scope(district_ids=districts_in_charge(person))
    raise NotAllowed()


def review_scope(person: OfficeBearer) -> frozenset[int] | None:
    """The districts whose calls `person` may review: all (None) for the secretary and admins, their own for a
    district in-charge; anyone else is refused."""
    if sees_every_district(person):
        return None
    if person.role is Role.district_incharge:
        return districts_in_charge(person)
    raise NotAllowed()


def corrections_scope(person: OfficeBearer) -> Scope:
    """The booths whose pending corrections a person sees: all (secretary, admin) or their districts (district
    in-charge); anyone else follows up no corrections."""
    if sees_every_district(person):
        return EVERY_BOOTH
    if person.role is Role.district_incharge:
        return Scope(district_ids=districts_in_charge(person))
    raise NotAllowed()
