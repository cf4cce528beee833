"""The invitation in the caller's WhatsApp message: a booth president opens the bot's link and joins, over the
real bot and a fake Telegram."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from bot.outreach.invites import revoke_invite
from bot.sandbox import FakeMessage
from models import AuditEntry, BoothPresident
from tests.e2e.conftest import Harness

WHATSAPP_LINK = re.compile(r'href="(https://wa\.me/[^"]+)"')


def _whatsapp_links(morning: FakeMessage) -> list[tuple[str, str]]:
    """Each WhatsApp link of a morning message as (number, prefilled text)."""
    links = []
    for href in WHATSAPP_LINK.findall(morning.raw_text or ""):
        url = urlsplit(html.unescape(href))
        links.append((url.path.strip("/"), parse_qs(url.query)["text"][0]))
    return links


def _start_parameter(text: str) -> str:
    """The token of the bot link in a WhatsApp text."""
    match = re.search(r"https://t\.me/booth_samvad_bot\?start=([A-Za-z0-9_-]+)", text)
    assert match, text
    return match.group(1)


async def _presidents(h: Harness) -> list[BoothPresident]:
    async with h.db.sessions() as session:
        return list((await session.execute(select(BoothPresident).order_by(BoothPresident.id))).scalars())


async def test_the_whatsapp_link_introduces_the_caller_and_carries_a_token_naming_no_one(harness: Harness) -> None:
    _, morning = await harness.caller_with_morning(user_id=9301, president="Suresh Yadav")
    presidents = await _presidents(harness)

    links = _whatsapp_links(morning)

    by_number = {p.phone.lstrip("+"): p for p in presidents}
    assert sorted(number for number, _ in links) == sorted(by_number)
    for number, text in links:
        token, president = _start_parameter(text), by_number[number]
        assert text.startswith("नमस्ते Suresh Yadav जी, मैं Ravi Kumar (प्रदेश पदाधिकारी), बूथ संवाद से।")
        assert token == president.invite_token
        assert "Suresh" not in token and president.phone[-4:] not in token
    assert links[0][1] != links[1][1]


async def test_a_booth_president_opens_the_link_shares_their_contact_and_is_registered(harness: Harness) -> None:
    _, morning = await harness.caller_with_morning(user_id=9302, president="Suresh Yadav")
    (number, text), _ = _whatsapp_links(morning)
    president = harness.fake.add_user(user_id=9311, first_name="Suresh")

    await harness.say(president, f"/start {_start_parameter(text)}")
    greeting = president.last_message
    await president.share_contact(number)
    await harness.settle()
    welcome = president.last_message
    await harness.say(president, "/start")

    assert "नमस्ते Suresh Yadav जी" in greeting.text
    assert greeting.reply_markup is not None and greeting.reply_markup["keyboard"][0][0]["request_contact"] is True
    assert "बूथ अध्यक्ष के रूप में आपका पंजीकरण हो गया" in welcome.text and "Ravi" not in welcome.text
    assert "बूथ अध्यक्ष के रूप में पंजीकृत हैं" in president.last_message.text
    stored = next(p for p in await _presidents(harness) if p.phone.lstrip("+") == number)
    assert (stored.telegram_user_id, stored.registered_at, stored.language) == (9311, harness.clock(), "hi")
    async with harness.db.sessions() as session:
        audit = (await session.execute(select(AuditEntry).where(AuditEntry.subject == f"booth_president:{stored.id}"))
                 ).scalar_one()
    assert (audit.action, audit.detail) == ("registered", {"via": "invite"})


async def test_another_booth_presidents_number_is_refused_and_nothing_is_registered(harness: Harness) -> None:
    _, morning = await harness.caller_with_morning(user_id=9303, president="Suresh Yadav")
    (_, text), (other_number, _) = _whatsapp_links(morning)
    stranger = harness.fake.add_user(user_id=9312, first_name="Mahesh")

    await harness.say(stranger, f"/start {_start_parameter(text)}")
    await stranger.share_contact(other_number)
    await harness.settle()
    refusal = stranger.last_message

    assert "मेल नहीं खाता" in refusal.text and "जोड़ा नहीं गया" in refusal.text
    assert all(p.telegram_user_id is None for p in await _presidents(harness))


async def test_someone_elses_contact_after_the_link_is_refused(harness: Harness) -> None:
    _, morning = await harness.caller_with_morning(user_id=9304, president="Suresh Yadav")
    (number, text), _ = _whatsapp_links(morning)
    helper = harness.fake.add_user(user_id=9313, first_name="Helper")

    await harness.say(helper, f"/start {_start_parameter(text)}")
    await helper.share_contact(number, user_id=9999)
    await harness.settle()
    refusal = helper.last_message

    assert "अपना" in refusal.text
    assert all(p.telegram_user_id is None for p in await _presidents(harness))


async def test_a_revoked_or_wrong_link_gets_a_polite_answer_and_registers_no_one(harness: Harness) -> None:
    _, morning = await harness.caller_with_morning(user_id=9305, president="Suresh Yadav")
    (number, text), _ = _whatsapp_links(morning)
    token = _start_parameter(text)
    stored = next(p for p in await _presidents(harness) if p.phone.lstrip("+") == number)
    async with harness.db.sessions() as session:
        await revoke_invite(session, stored.id)
        await session.commit()
    president = harness.fake.add_user(user_id=9314, first_name="Suresh")
    guesser = harness.fake.add_user(user_id=9315, first_name="Guess")

    await harness.say(president, f"/start {token}")
    revoked = president.last_message
    await harness.say(guesser, "/start AAAAAAAAAAAAAAAAAAAAAAAA")
    await president.share_contact(number)
    await harness.settle()
    after = president.last_message

    assert "लिंक अब काम नहीं करता" in revoked.text and revoked.reply_markup is None
    assert "लिंक अब काम नहीं करता" in guesser.last_message.text
    assert "Suresh" not in guesser.last_message.text
    # without a valid invitation, sharing the number is the ordinary registration by roster number
    assert "बूथ अध्यक्ष के रूप में आपका पंजीकरण हो गया" in after.text
