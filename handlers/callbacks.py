"""Callback data: short ASCII strings `feature:action:id[:value]`, built and parsed only here.

Telegram allows 64 bytes; these stay far below it whatever the id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from bot.review.periods import Level, Period, PeriodKind
from models import NeedCategory, Outcome, Strength, Wellbeing

REPORT = "rep"
LANGUAGE = "lang"
SUMMARY = "sum"
EXPORT = "exp"

# actions of the report conversation
TALKED = "t"
OTHER_OUTCOME = "o"
OUTCOME = "oc"
WELLBEING = "w"
POSITION = "p"
NEED = "n"
NEEDS_DONE = "nd"
NEED_TEXT = "nt"
SAVE = "s"
ADD_NEEDS = "rn"
ADD_NOTE = "rt"
BACK = "b"
CALL_BACK_DAY = "cd"
CANCEL = "x"

OUTCOME_CODES: dict[str, Outcome] = {"na": Outcome.no_answer, "so": Outcome.switched_off,
                                     "wn": Outcome.wrong_number, "cb": Outcome.call_back,
                                     "ok": Outcome.talked}
CALL_BACK_CODES: dict[str, int] = {"td": 0, "tm": 1, "da": 2, "wk": 7}
WELLBEING_CODES: dict[str, Wellbeing] = {"w": Wellbeing.well, "c": Wellbeing.concern}
POSITION_CODES: dict[str, Strength] = {"s": Strength.strong, "m": Strength.moderate, "w": Strength.weak}
NEED_CODES: dict[str, NeedCategory] = {"vl": NeedCategory.voter_list, "bc": NeedCategory.booth_committee,
                                       "cm": NeedCategory.campaign_material, "lv": NeedCategory.leader_visit,
                                       "li": NeedCategory.local_issue, "ot": NeedCategory.other}

# the summary drill-down and its export: `sum:<level>:<area id>:<period><yyyymmdd>`, e.g. `sum:d:12:w20261120`
LEVEL_CODES: dict[str, Level] = {"s": Level.state, "r": Level.region, "d": Level.district, "p": Level.person}
PERIOD_CODES: dict[str, PeriodKind] = {"d": PeriodKind.day, "w": PeriodKind.week, "m": PeriodKind.month}


def code_of(table: Mapping[str, object], value: object) -> str:
    """The short code a value travels under in callback data."""
    return next(code for code, member in table.items() if member == value)


@dataclass(frozen=True)
class Callback:
    """A parsed callback: which feature, which action, on which record, with which value."""

    feature: str
    action: str
    record_id: int
    value: str = ""


def build(feature: str, action: str, record_id: int, value: str = "") -> str:
    """Encode a callback; the result is plain ASCII well under 64 bytes."""
    data = f"{feature}:{action}:{record_id}" + (f":{value}" if value else "")
    if len(data.encode()) > 64 or not data.isascii():
        raise ValueError(f"callback data too long or not ASCII: {data!r}")
    return data


def parse(data: str | None) -> Callback | None:
    """Decode a callback, or None if it is not one of ours (forged or from an old version)."""
    if not data:
        return None
    parts = data.split(":")
    if len(parts) not in (3, 4) or not parts[2].isdigit():
        return None
    return Callback(parts[0], parts[1], int(parts[2]), parts[3] if len(parts) == 4 else "")


def period_value(period: Period) -> str:
    """A period as the value of a callback: its kind's code and its last day, e.g. `w20261120`."""
    return code_of(PERIOD_CODES, period.kind) + period.end.strftime("%Y%m%d")


def parse_period(value: str) -> Period | None:
    """The period a callback value names, or None if it names none."""
    kind = PERIOD_CODES.get(value[:1])
    if kind is None or len(value) != 9 or not value[1:].isdigit():
        return None
    try:
        return Period(kind, date(int(value[1:5]), int(value[5:7]), int(value[7:])))
    except ValueError:
        return None


def pattern(feature: str, *actions: str) -> str:
    """A regular expression matching callbacks of these actions (all actions when none is given)."""
    action = "|".join(actions) if actions else "[a-z]+"
    return rf"^{feature}:({action}):\d+(:[a-z0-9]+)?$"
