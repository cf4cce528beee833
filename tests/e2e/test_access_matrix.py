"""Who may do what: every role against every command and the buttons that reach roster data, over the real bot.

One test per role sends every command in turn (one roster, one bot per role) and compares each answer with
the matrix below: allowed, or the polite refusal named by its catalog key, which carries no phone number
and no roster name. Forged buttons, group chats and a deactivation in the middle of a report are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from bot.i18n import translate
from bot.sandbox import FakeUser
from handlers.callbacks import NEEDS
from models import BoothPresident, CallReport, OfficeBearer, Outcome, Role
from tests.e2e.conftest import Harness
from tests.factories import (
    make_assignment,
    make_booth,
    make_need,
    make_office_bearer,
    make_report,
    make_varanasi_booth,
)

ANY_PHONE = re.compile(r"\+?91[\s-]?\d{5}[\s-]?\d{5}|\b[6-9]\d{9}\b")
ROSTER_NAMES = ("Kamla Devi", "Gita Verma", "Shyam Sundar", "Dinesh Yadav", "Sangathan Mantri", "IT Cell",
                "Purana Sathi")
ADMIN_ONLY = "access.denied"
REGISTER = "register.needed"
OK = None

COMMANDS = ("/summary", "/booth 172 45", "/needs", "/flags", "/call {call}", "/chart", "/export", "/pause 15.12",
            "/people unreachable", "/deactivate 9700000999", "/fixnumber 172 45 9839012345", "/resend 9700000101",
            "/audit")
NOBODY = {command: REGISTER for command in COMMANDS}
ADMIN_COMMANDS = {command: ADMIN_ONLY for command in COMMANDS[8:]}
MATRIX: dict[str, dict[str, str | None]] = {
    "unregistered": NOBODY,
    "deactivated": NOBODY,
    "booth_president": NOBODY,
    "state_office_bearer": {
        "/summary": OK, "/booth 172 45": OK, "/needs": "access.denied", "/flags": "access.denied",
        "/call {call}": "access.denied", "/chart": "chart.not_allowed", "/export": "review.export.not_allowed",
        "/pause 15.12": OK, **ADMIN_COMMANDS},
    "district_incharge": {
        "/summary": OK, "/booth 172 45": OK, "/needs": OK, "/flags": OK, "/call {call}": OK, "/chart": OK,
        "/export": "review.export.not_allowed", "/pause 15.12": OK, **ADMIN_COMMANDS},
    "organisation_secretary": {
        "/summary": OK, "/booth 172 45": OK, "/needs": OK, "/flags": OK, "/call {call}": OK, "/chart": OK,
        "/export": OK, "/pause 15.12": "leave.not_a_caller", **ADMIN_COMMANDS},
    "admin": {
        "/summary": OK, "/booth 172 45": OK, "/needs": OK, "/flags": OK, "/call {call}": OK, "/chart": OK,
        "/export": OK, "/pause 15.12": "leave.not_a_caller", **{command: OK for command in COMMANDS[8:]}},
}
REFUSALS = frozenset(key for row in MATRIX.values() for key in row.values() if key is not None)


@dataclass
class World:
    """The roster every matrix test starts from: one Telegram account per role, and ids to forge buttons with."""

    users: dict[str, FakeUser]
    caller_id: int
    call_id: int
    others_assignment_id: int
    varanasi_need_id: int
    varanasi_district_id: int


async def _world(h: Harness) -> World:
    async with h.db.sessions() as session:
        lucknow = await make_booth(session, number=45, president="Kamla Devi", phone="+919700004545")
        second = await make_booth(session, number=46, president="Gita Verma")
        varanasi = await make_varanasi_booth(session)
        people = {
            "state_office_bearer": await make_office_bearer(session, name="Shyam Sundar", phone="+919700000101",
                                                            telegram_user_id=9001),
            "district_incharge": await make_office_bearer(session, name="Dinesh Yadav", telegram_user_id=9002,
                                                          role=Role.district_incharge, districts=("Lucknow",)),
            "organisation_secretary": await make_office_bearer(session, name="Sangathan Mantri",
                                                               telegram_user_id=9003,
                                                               role=Role.organisation_secretary),
            "admin": await make_office_bearer(session, name="IT Cell", telegram_user_id=9004, role=Role.admin),
            "deactivated": await make_office_bearer(session, name="Purana Sathi", telegram_user_id=9005,
                                                    active=False),
        }
        await make_office_bearer(session, phone="+919700000999")
        president = (await session.execute(select(BoothPresident).where(BoothPresident.booth_id == lucknow.id))
                     ).scalar_one()
        president.telegram_user_id = 9006
        mine = await make_assignment(session, office_bearer=people["state_office_bearer"], booth=lucknow, day=h.today)
        others = await make_assignment(session, office_bearer=people["district_incharge"], booth=second, day=h.today)
        await make_report(session, others)
        far = await make_report(session, await make_assignment(session, office_bearer=people["admin"],
                                                                booth=varanasi, day=h.today))
        need = await make_need(session, far)
        await session.commit()
    ids = {"unregistered": 9000, **{role: person.telegram_user_id or 0 for role, person in people.items()},
           "booth_president": 9006}
    users = {role: h.fake.add_user(user_id=user_id, first_name="Tester") for role, user_id in ids.items()}
    return World(users=users, caller_id=people["state_office_bearer"].id, call_id=mine.id,
                 others_assignment_id=others.id, varanasi_need_id=need.id,
                 varanasi_district_id=varanasi.assembly.district_id)


def _texts(user: FakeUser, after: int) -> str:
    return "\n".join(m.text or m.caption or "" for m in user.messages[after:])


def _assert_refused_politely(reply: str, key: str, what: str) -> None:
    assert reply in (translate("hi", key), translate("en", key)), f"{what}: expected {key}, got {reply!r}"
    assert not ANY_PHONE.search(reply), f"{what}: a phone number in the refusal"
    assert not any(name in reply for name in ROSTER_NAMES), f"{what}: a roster name in the refusal"


@pytest.mark.parametrize("role", list(MATRIX))
async def test_each_role_may_use_exactly_its_commands(harness: Harness, role: str) -> None:
    h = harness
    world = await _world(h)
    user = world.users[role]

    for command, expected in MATRIX[role].items():
        before = len(user.messages)
        await h.say(user, command.format(call=world.call_id))
        reply = _texts(user, before)
        assert reply, f"{role} {command}: no answer"
        if expected is None:
            assert not any(reply in (translate("hi", k), translate("en", k)) for k in REFUSALS), (
                f"{role} {command}: refused ({reply!r})")
        else:
            _assert_refused_politely(reply, expected, f"{role} {command}")


async def _forge(h: Harness, user: FakeUser, data: str) -> str | None:
    """Press a button carrying `data` on the user's newest message, as a modified client could; the answer."""
    query_id = await h.fake.queue_callback_query(user, user.last_message, data)
    await h.settle()
    return h.fake.callback_queries[query_id].answer_text


async def test_forged_buttons_for_someone_elses_call_or_outside_the_scope_are_refused(harness: Harness) -> None:
    h = harness
    world = await _world(h)
    caller, incharge, secretary = (world.users[r] for r in ("state_office_bearer", "district_incharge",
                                                            "organisation_secretary"))
    for user in (caller, incharge, secretary):
        await h.say(user, "/summary")
    day = h.today.strftime("%Y%m%d")

    report = await _forge(h, caller, f"rep:t:{world.others_assignment_id}")
    need = await _forge(h, incharge, f"{NEEDS}:op:{world.varanasi_need_id}:0.1")
    view = await _forge(h, incharge, f"sum:d:{world.varanasi_district_id}:d{day}")
    export = await _forge(h, incharge, f"exp:d:{world.varanasi_district_id}:d{day}")
    deactivation = await _forge(h, secretary, f"adm:off:{world.caller_id}")

    expected = {"report.not_yours": report, "needs.not_yours": need, "review.not_yours": view,
                "review.export.not_allowed": export, "access.denied": deactivation}
    for key, answer_text in expected.items():
        assert answer_text is not None, key
        _assert_refused_politely(answer_text, key, key)
    async with h.db.sessions() as session:
        assert (await session.get_one(OfficeBearer, world.caller_id)).active is True
        outcomes = (await session.execute(select(CallReport.outcome).where(
            CallReport.assignment_id == world.others_assignment_id))).scalars().all()
    assert outcomes == [Outcome.talked]


async def test_in_a_group_every_command_gets_only_the_private_chat_answer(harness: Harness) -> None:
    h = harness
    world = await _world(h)
    member = world.users["admin"]
    private_before = len(member.messages)

    for n, command in enumerate(("/start", "/help", "/language", "/privacy", "/cancel", "/resume", *COMMANDS)):
        await h.fake.send_group_text(chat_id=-100700, user=member, text=command.format(call=world.call_id))
        await h.settle()
        group = [m for m in h.fake.sent if m.chat_id == -100700]
        assert len(group) == n + 1, command
        assert group[-1].text == translate("hi", "group.private_only"), command

    assert len(member.messages) == private_before


async def test_a_caller_deactivated_mid_report_is_refused_on_the_next_tap(harness: Harness) -> None:
    h = harness
    world = await _world(h)
    caller, it_cell = world.users["state_office_bearer"], world.users["admin"]
    await h.say(caller, "/start")
    await h.push()
    await h.tap(caller, "✅ बात हुई")
    question = caller.last_message

    await h.say(it_cell, "/deactivate 9700000101")
    await h.tap(it_cell, "हाँ, निष्क्रिय करें")
    await h.tap(caller, question.buttons[0][0][0])

    assert caller.callback_answers[-1] == translate("hi", "register.needed_short")
    async with h.db.sessions() as session:
        reports = (await session.execute(select(CallReport))).scalars().all()
    assert [r.assignment_id for r in reports if r.assignment_id == world.call_id] == []
