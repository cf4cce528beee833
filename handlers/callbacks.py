"""Callback data: short ASCII strings `feature:action:id[:value]`, built and parsed only here.

Telegram allows 64 bytes; these stay far below it whatever the id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from bot.outreach.reports import NOT_KNOWN, NewPresident
from bot.review.periods import Level, Period, PeriodKind
from models import NeedCategory, NeedStatus, Outcome, Strength, Wellbeing

# features
REPORT = "rep"
LANGUAGE = "lang"
SUMMARY = "sum"
EXPORT = "exp"
NEEDS = "nd"
BACK_CHECK = "bck"
FLAGS = "flg"
ADMIN = "adm"
CORRECTIONS = "cor"
BOOTH = "bth"

# `bth:o:<booth id>`: a booth row of an assembly seat's summary opens the booth view (/booth)
OPEN_BOOTH = "o"
VERIFY = "vrf"

# `lang:set:0:<language>`
SET_LANGUAGE = "set"

# `adm:<action>:<office-bearer id>`: the answer to "deactivate this person?"
DEACTIVATE = "off"
KEEP = "keep"

# `bck:<question>:<back-check id>:<answer>`: a booth president's answer
CALLED = "c"
SPOKE_ABOUT_NEEDS = "n"
YES, NO = "y", "n"

# `vrf:a:<back-check id>:<answer>`: a verifier's answer after phoning the booth president
VERIFIER_ANSWER = "a"
VERIFIER_ANSWER_CODES = {"talked": "y", "denied": "n", "not_reached": "u"}
"""The code each `VerifierAnswer` (by value) travels under."""

# `flg:t:<assignment id>:<period>`: a `/flags` button opening a call's trail over the list's period
TRAIL = "t"
FLAG_PERIODS = {"today": "d", "yesterday": "y", "week": "w"}
"""`/flags` arguments and the codes their trail buttons carry, so a trail shows the flags of the list's period."""

# the needs list: `nd:pg:<booth id, 0 for all>:<page>` turns the page, `nd:bo:<booth id>` opens a booth's needs
# from the booth view, and `nd:<seen><to>:<need id>:<booth id>.<page>` changes a need's status
PAGE = "pg"
OPEN_BOOTH_NEEDS = "bo"
NEED_STATUS_CHANGES: dict[str, tuple[NeedStatus, NeedStatus]] = {
    "op": (NeedStatus.open, NeedStatus.in_progress),
    "or": (NeedStatus.open, NeedStatus.resolved),
    "pr": (NeedStatus.in_progress, NeedStatus.resolved),
    "po": (NeedStatus.in_progress, NeedStatus.open),
    "ro": (NeedStatus.resolved, NeedStatus.open),
}
"""Status changes by callback action: from the status on screen to the new one."""
# `nd:ra:<need id>:<booth id>.<page>` asks whom to hand a need to; `nd:gv:<need id>:<to>.<seen owner>.<booth
# id>.<page>` hands it from the owner on screen to another (an owner id of 0 is the organisation secretary's queue)
HANDOVER = "ra"
HAND_TO = "gv"

# the corrections list: `cor:pg:0:<page>` turns the page, `cor:np:<correction id>` asks for a new name and
# number, `cor:sv:<id>` sends the name and number typed, `cor:x:<id>` leaves without sending, and
# `cor:ok:<id>:<proposal stamp>` / `cor:no:<id>:<proposal stamp>` confirm or reject the proposal on screen
PROPOSE_PRESIDENT = "np"
SEND_PROPOSAL = "sv"
DROP_PROPOSAL = "x"
CONFIRM_PROPOSAL = "ok"
REJECT_PROPOSAL = "no"

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
NEW_PRESIDENT = "np"
CANCEL = "x"

OUTCOME_CODES: dict[str, Outcome] = {"na": Outcome.no_answer, "bz": Outcome.busy, "so": Outcome.switched_off,
                                     "wn": Outcome.wrong_number, "np": Outcome.not_president,
                                     "cb": Outcome.call_back, "ok": Outcome.talked}
"""Outcomes by code, in the order their buttons are shown."""
NEW_PRESIDENT_CODES: dict[str, NewPresident] = {"sk": NOT_KNOWN}
"""The one button of the "who holds the post now?" step: skip (the name and number are typed instead)."""
CALL_BACK_CODES: dict[str, int] = {"td": 0, "tm": 1, "da": 2, "wk": 7}
WELLBEING_CODES: dict[str, Wellbeing] = {"w": Wellbeing.well, "c": Wellbeing.concern}
POSITION_CODES: dict[str, Strength] = {"s": Strength.strong, "m": Strength.moderate, "w": Strength.weak}
NEED_CODES: dict[str, NeedCategory] = {"vl": NeedCategory.voter_list, "bc": NeedCategory.booth_committee,
                                       "cm": NeedCategory.campaign_material, "lv": NeedCategory.leader_visit,
                                       "li": NeedCategory.local_issue, "ot": NeedCategory.other}

# the summary drill-down and its export: `sum:<level>:<area id>:<period><yyyymmdd>`, e.g. `sum:d:12:w20261120`
LEVEL_CODES: dict[str, Level] = {"s": Level.state, "r": Level.region, "d": Level.district, "p": Level.person,
                                 "st": Level.seats, "f": Level.focus, "l": Level.lok_sabha, "a": Level.assembly}
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


@dataclass(frozen=True)
class ListRef:
    """Which list a needs message shows: all the person's needs (`booth_id` None) or one booth's, and the page."""

    booth_id: int | None
    page: int

    def code(self) -> str:
        """The list as it travels in a status button's callback data."""
        return f"{self.booth_id or 0}.{self.page}"

    @classmethod
    def decode(cls, code: str) -> ListRef | None:
        """The list a status button came from, or None if the data is not ours."""
        booth, _, page = code.partition(".")
        if not (booth.isdigit() and page.isdigit()):
            return None
        return cls(int(booth) or None, int(page))


def needs_list_of(parsed: Callback) -> ListRef | None:
    """The list a needs button belongs to (a booth id of 0 from the booth view is refused later, as forged)."""
    if parsed.action == PAGE and parsed.value.isdigit():
        return ListRef(parsed.record_id or None, int(parsed.value))
    if parsed.action == OPEN_BOOTH_NEEDS and not parsed.value:
        return ListRef(parsed.record_id, 0)
    if parsed.action in NEED_STATUS_CHANGES or parsed.action == HANDOVER:
        return ListRef.decode(parsed.value)
    if parsed.action == HAND_TO:
        hand_to = HandTo.decode(parsed.value)
        return hand_to.ref if hand_to else None
    return None


@dataclass(frozen=True)
class HandTo:
    """A handover button: to whom, from the owner on screen (None: the secretary's queue), and the list to
    show again afterwards."""

    to_owner_id: int | None
    seen_owner_id: int | None
    ref: ListRef

    def code(self) -> str:
        """The handover as it travels in the button's callback data."""
        return f"{self.to_owner_id or 0}.{self.seen_owner_id or 0}.{self.ref.code()}"

    @classmethod
    def decode(cls, code: str) -> HandTo | None:
        """The handover a button names, or None if the data is not ours."""
        to, _, rest = code.partition(".")
        seen, _, ref_code = rest.partition(".")
        ref = ListRef.decode(ref_code)
        if not (to.isdigit() and seen.isdigit()) or ref is None:
            return None
        return cls(int(to) or None, int(seen) or None, ref)


def status_change(seen: NeedStatus, to: NeedStatus) -> str:
    """The action code of a needs button changing a need from `seen` to `to`."""
    return code_of(NEED_STATUS_CHANGES, (seen, to))


def pattern(feature: str, *actions: str) -> str:
    """A regular expression matching callbacks of these actions (all actions when none is given)."""
    action = "|".join(actions) if actions else "[a-z]+"
    return rf"^{feature}:({action}):\d+(:[a-z0-9]+)?$"
