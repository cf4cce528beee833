"""What people are told about their data, on registering and with /privacy, over the real bot and a fake Telegram."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from telegram.ext import Job

from bot.runtime.jobs import retention
from models import AuditEntry, CallReport
from tests.e2e.conftest import Harness
from tests.factories import make_assignment, make_booth, make_office_bearer, make_report


async def test_an_office_bearer_is_told_on_registering_and_with_privacy_what_is_kept_why_and_for_how_long(
        harness: Harness) -> None:
    user = await harness.new_user(user_id=8101, name="Kavita Singh")
    on_registering = user.last_message.text

    await harness.say(user, "/privacy")

    assert user.last_message.text == on_registering
    for told in ("मोबाइल नंबर", "जिले", "टेलीग्राम आईडी", "कॉल रिपोर्ट", "बूथ संपर्क कार्यक्रम",
                 "बूथ अध्यक्ष का नंबर केवल उसी को दिखता है", "365 दिन बाद", "प्रति पाने या उसे हटवाने",
                 "आईटी प्रकोष्ठ"):
        assert told in on_registering, told


async def test_a_booth_president_is_told_on_registering_and_with_privacy_what_is_kept_about_them(
        harness: Harness) -> None:
    async with harness.db.sessions() as session:
        await make_booth(session, president="Suresh Yadav", phone="+919700005561")
        await session.commit()
    user = harness.fake.add_user(user_id=8102, first_name="Suresh", language_code="en")
    await user.share_contact("97000 05561")
    welcome = await user.next_message()

    await harness.say(user, "/privacy")

    text = user.last_message.text
    assert "बूथ अध्यक्ष के रूप में आपका पंजीकरण हो गया" in welcome.text and "365 दिन" in welcome.text
    assert "आपके हाँ/नहीं के जवाब" in text and "आपका नंबर केवल उसी पदाधिकारी को दिखता है" in text
    assert "भूमिका" not in text, "not the office-bearers' text"
    assert "+91" not in text and "Suresh" not in text


async def test_the_daily_retention_job_removes_notes_older_than_the_configured_days(harness: Harness) -> None:
    async with harness.db.sessions() as session:
        booth, caller = await make_booth(session), await make_office_bearer(session)
        for days_ago, note in ((366, "old words"), (364, "recent words")):
            assignment = await make_assignment(session, office_bearer=caller, booth=booth,
                                               day=harness.today - timedelta(days=days_ago))
            await make_report(session, assignment, notes=note, at=harness.clock() - timedelta(days=days_ago))
        await session.commit()

    await Job(retention, name="retention").run(harness.running.app)

    async with harness.db.sessions() as session:
        notes = (await session.execute(select(CallReport.notes).order_by(CallReport.reported_at))).scalars().all()
        runs = (await session.execute(select(AuditEntry.detail).where(
            AuditEntry.action == "retention_applied"))).scalars().all()
    assert notes == [None, "recent words"]
    assert runs == [{"retention_days": 365, "notes": 1, "need_details": 0}]
