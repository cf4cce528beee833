"""Hostile and broken input at every step of the call report: random texts, photos, stickers, edits,
commands mid-flow, old and repeated and forged button presses. The bot never fails, answers every
button and every message sent while a report is open, stores only valid reports of the person's own
calls, and a fresh report still works.

Hypothesis draws the sequences; one running bot serves every example of a test (the clock moves on a
day per example, so each starts with a new morning message).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.sandbox import FakeUser
from handlers import callbacks as cb
from handlers.report import DRAFT
from models import FINAL_OUTCOMES, Assignment, CallReport, Outcome
from tests.e2e.conftest import Harness
from tests.factories import make_booth, make_office_bearer

ME, OTHER = 7101, 7102

# the taps that bring a report on contact `a` to each step of the conversation
ROUTES: dict[str, tuple[tuple[str, str], ...]] = {
    "OUTCOME": ((cb.OTHER_OUTCOME, ""),),
    "CALL_BACK": ((cb.OTHER_OUTCOME, ""), (cb.OUTCOME, "cb")),
    "WELLBEING": ((cb.TALKED, ""),),
    "POSITION": ((cb.TALKED, ""), (cb.WELLBEING, "w")),
    "REVIEW": ((cb.TALKED, ""), (cb.WELLBEING, "w"), (cb.POSITION, "s")),
    "NEEDS": ((cb.TALKED, ""), (cb.WELLBEING, "c"), (cb.POSITION, "m"), (cb.ADD_NEEDS, "")),
    "NEED_TEXT": ((cb.TALKED, ""), (cb.WELLBEING, "c"), (cb.POSITION, "w"), (cb.ADD_NEEDS, ""),
                  (cb.NEED_TEXT, "")),
    "NOTE_TEXT": ((cb.TALKED, ""), (cb.WELLBEING, "w"), (cb.POSITION, "s"), (cb.ADD_NOTE, "")),
}

TEXTS = st.one_of(
    st.text(min_size=1, max_size=30),
    st.sampled_from([
        "🙏🏽👍🏾🇮🇳", "नमस्ते, सब ठीक है", "<b>bold</b> & <script>", "x" * 1001, "अ" * 4096,
        "‮right-to-left", "\u200b", "/cancel", "/start", "/help", "/report", "/nonsense@other_bot",
    ]),
)
ACTIONS = st.one_of(
    st.tuples(st.just("text"), TEXTS),
    st.tuples(st.just("edit"), TEXTS),
    st.tuples(st.sampled_from(["photo", "sticker", "twice", "cancel"]), st.none()),
    st.tuples(st.sampled_from(["press", "press_old"]), st.integers(0, 40)),
    st.tuples(st.just("forged"), st.sampled_from([
        "rep:oc:{a}:zz", "rep:w:{a}:q", "rep:p:{a}:x", "rep:n:{a}:xx", "rep:cd:{a}:yr", "rep:s:{other}",
        "rep:t:{other}", "rep:o:{other}", "rep:o:999999", "rep:s:{a}", "rep:b:{a}", "rep:zz:{a}", "rep:nd:{a}",
    ])),
)


@dataclass
class Run:
    """What one test's examples share: my chat and roster id, the other caller's, and my saves pressed."""

    me: FakeUser
    my_id: int
    other_id: int
    saves: int = 0
    sent_texts: list[int] = field(default_factory=list)
    must_answer: set[int] = field(default_factory=set)


async def _setup(h: Harness) -> Run:
    async with h.db.sessions() as session:
        for number in range(1, 41):
            await make_booth(session, number=number, president=f"Pradhan <{number}> & Sons")
        me = await make_office_bearer(session, name="Fuzz Tester")
        other = await make_office_bearer(session, name="Someone Else")
        await session.commit()
    user = await h.register(me, user_id=ME)
    await h.register(other, user_id=OTHER)
    return Run(user, me.id, other.id)


async def _morning(h: Harness, run: Run) -> tuple[list[int], list[int]]:
    """A new day's push; the ids of my calls today and of the other caller's."""
    h.clock.advance(days=1)
    await h.push()
    await h.settle()
    async with h.db.sessions() as session:
        rows = (await session.execute(select(Assignment.id, Assignment.office_bearer_id).where(
            Assignment.day == h.today).order_by(Assignment.id))).all()
    return [a for a, p in rows if p == run.my_id], [a for a, p in rows if p == run.other_id]


async def _act(h: Harness, run: Run, action: str, arg: object, mine: int, theirs: int) -> None:
    """One hostile step by me, handled by the bot before the next."""
    user = run.me
    typed_command = action == "text" and str(arg).startswith("/")  # an unknown command gets no reply anywhere
    if action in ("text", "photo", "sticker") and not typed_command and DRAFT in h.running.app.user_data[ME]:
        run.must_answer.add(h.fake.last_update_id + 1)
    if action == "text":
        update = await user.send_text(str(arg))
        run.sent_texts.append(update["message"]["message_id"])
    elif action == "edit" and run.sent_texts:
        await user.edit_text(run.sent_texts[-1], str(arg))
    elif action == "photo":
        await user.send_photo(caption="booth photo")
    elif action == "sticker":
        await user.send_sticker("🤷")
    elif action == "cancel":
        await user.send_text("/cancel")
    elif action in ("press", "press_old", "twice"):
        shown = user.messages[-1:] if action != "press_old" else user.messages
        buttons = [(m, data) for m in shown for row in m.buttons for _, data in row if data is not None]
        if buttons:
            message, data = buttons[int(str(arg or 0)) % len(buttons)]
            for _ in range(2 if action == "twice" else 1):
                run.saves += data.startswith(f"{cb.REPORT}:{cb.SAVE}:")
                await user.fake.queue_callback_query(user, message, data)
    elif action == "forged":
        data = str(arg).format(a=mine, other=theirs)
        run.saves += data.startswith(f"{cb.REPORT}:{cb.SAVE}:")
        await user.fake.queue_callback_query(user, user.last_message, data)
    await h.settle()


async def _reports(h: Harness) -> list[CallReport]:
    async with h.db.sessions() as session:
        return list((await session.execute(select(CallReport).order_by(CallReport.id))).scalars())


async def _check(h: Harness, run: Run, errors: list[logging.LogRecord]) -> None:
    """Nothing failed, everything was answered, and every stored report is valid and mine."""
    assert [r.getMessage() for r in errors] == []
    assert h.fake.violations == []
    assert h.fake.unanswered_callback_queries() == []
    unanswered = [t.update_id for t in h.fake.update_timings.values()
                  if t.update_id in run.must_answer and t.replied_at is None]
    assert unanswered == [], h.fake.transcript(ME)
    reports = await _reports(h)
    assert len(reports) <= run.saves
    async with h.db.sessions() as session:
        owners = dict((await session.execute(select(Assignment.id, Assignment.office_bearer_id))).all())
        finals = (await session.execute(
            select(CallReport.assignment_id, func.count()).where(CallReport.outcome.in_(FINAL_OUTCOMES))
            .group_by(CallReport.assignment_id).having(func.count() > 1))).all()
    assert finals == []
    for report in reports:
        assert owners[report.assignment_id] == run.my_id
        talked = report.outcome is Outcome.talked
        assert (report.wellbeing is not None, report.booth_position is not None) == (talked, talked)
        assert (report.call_back_on is not None) == (report.outcome is Outcome.call_back)
        assert report.notes is None or 0 < len(report.notes) <= 1000


async def _fresh_report_works(h: Harness, run: Run, mine: list[int]) -> None:
    """After the storm, `/cancel` and a four-tap report of a call still open goes through."""
    await h.say(run.me, "/cancel")
    async with h.db.sessions() as session:
        done = set((await session.execute(select(CallReport.assignment_id).where(
            CallReport.outcome.in_(FINAL_OUTCOMES)))).scalars())
    open_calls = [a for a in mine if a not in done]
    if not open_calls:
        return
    before = len(await _reports(h))
    for action, value in ROUTES["REVIEW"] + ((cb.SAVE, ""),):
        run.saves += action == cb.SAVE
        await h.press(run.me, cb.build(cb.REPORT, action, open_calls[0], value))
    assert len(await _reports(h)) == before + 1
    assert "सहेज ली गई" in run.me.last_message.text


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def errors() -> object:
    """Every ERROR record logged while the test runs."""
    handler = _Errors()
    logging.getLogger().addHandler(handler)
    yield handler.records
    logging.getLogger().removeHandler(handler)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(start=st.sampled_from(sorted(ROUTES)), actions=st.lists(ACTIONS, min_size=1, max_size=6))
async def test_hostile_input_at_every_step_of_a_report(
        harness: Harness, errors: list[logging.LogRecord], start: str,
        actions: list[tuple[str, object]]) -> None:
    run: Run = harness.running.app.bot_data.get("fuzz_run") or await _setup(harness)
    harness.running.app.bot_data["fuzz_run"] = run
    mine, theirs = await _morning(harness, run)
    assert mine and theirs
    for action, value in ROUTES[start]:
        await harness.press(run.me, cb.build(cb.REPORT, action, mine[0], value))
    for action, arg in actions:
        await _act(harness, run, action, arg, mine[0], theirs[0])
    await _check(harness, run, errors)
    await _fresh_report_works(harness, run, mine)
    await _check(harness, run, errors)
