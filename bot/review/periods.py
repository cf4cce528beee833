"""The levels a progress view looks at and the periods it covers, shared by views, scopes and buttons."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta


class Level(enum.StrEnum):
    """How far down a progress view looks: the state, a region, a district, or one office-bearer's own work;
    or, along the electoral map, the state by Lok Sabha seat (`seats`), its focus seats only (`focus`), one Lok
    Sabha seat, one assembly seat. `booth` is only ever the rows of an assembly seat's view."""

    state = "state"
    region = "region"
    district = "district"
    person = "person"
    seats = "seats"
    focus = "focus"
    lok_sabha = "lok_sabha"
    assembly = "assembly"
    booth = "booth"


class PeriodKind(enum.StrEnum):
    """The length of a reviewed period: one day, seven days or thirty days, ending on a chosen day."""

    day = "day"
    week = "week"
    month = "month"


PERIOD_DAYS = {PeriodKind.day: 1, PeriodKind.week: 7, PeriodKind.month: 30}


@dataclass(frozen=True)
class Period:
    """The days a view covers: `kind` (1, 7 or 30 days) ending on `end`, inclusive."""

    kind: PeriodKind
    end: date

    @property
    def days(self) -> int:
        """How many days the period holds."""
        return PERIOD_DAYS[self.kind]

    @property
    def start(self) -> date:
        """The first day of the period."""
        return self.end - timedelta(days=self.days - 1)

    def previous(self) -> Period:
        """The period of the same length just before this one, to show the trend against."""
        return Period(self.kind, self.start - timedelta(days=1))
