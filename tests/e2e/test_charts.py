"""`/chart` over the real bot: the charts arrive as photos for those who may see them, a polite no for others."""

from __future__ import annotations

from io import BytesIO

from PIL import Image

from bot.review.charts import WIDTH
from bot.sandbox import FakeMessage, FakeUser
from models import Role
from tests.e2e.conftest import Harness
from tests.factories import make_booth, make_office_bearer


async def _pushed_day_in_two_districts(h: Harness) -> dict[str, FakeUser]:
    async with h.db.sessions() as session:
        for i in range(3):
            await make_booth(session, district="Lucknow", region="Awadh", assembly_no=172, mandal=f"L{i}")
            await make_booth(session, district="Varanasi", region="Kashi", assembly_no=391,
                             assembly="Varanasi North", lok_sabha="Varanasi", mandal=f"V{i}")
        people = {
            "lucknow_incharge": await make_office_bearer(session, role=Role.district_incharge,
                                                         districts=("Lucknow",)),
            "varanasi_incharge": await make_office_bearer(session, role=Role.district_incharge,
                                                          districts=("Varanasi",)),
            "state": await make_office_bearer(session, role=Role.state_office_bearer),
            "secretary": await make_office_bearer(session, role=Role.organisation_secretary),
        }
        await session.commit()
    users = {key: await h.register(person, user_id=8100 + index) for index, (key, person) in enumerate(people.items())}
    await h.push()
    await h.settle()
    return users


async def _ask(h: Harness, user: FakeUser, command: str) -> list[FakeMessage]:
    before = len(user.messages)
    await h.say(user, command)
    return user.messages[before:]


def _opened(message: FakeMessage) -> Image.Image:
    assert message.photo is not None, message.text
    image = Image.open(BytesIO(message.photo.data))
    assert image.format == "PNG" and (message.photo.width, message.photo.height) == image.size
    return image


async def test_the_secretary_gets_three_charts_as_photos_and_an_incharge_those_of_their_districts(
        harness: Harness) -> None:
    users = await _pushed_day_in_two_districts(harness)

    secretary_charts = await _ask(harness, users["secretary"], "/chart")
    incharge_charts = await _ask(harness, users["lucknow_incharge"], "/chart month")

    assert [m.photo and m.photo.filename for m in secretary_charts] == ["reporting.png", "outcomes.png", "needs.png"]
    assert len(incharge_charts) == 3
    for message in secretary_charts + incharge_charts:
        assert _opened(message).width == WIDTH
    state_table, district_table = _opened(secretary_charts[0]), _opened(incharge_charts[0])
    assert district_table.height < state_table.height, "one district's row, not both and their total"


async def test_a_state_office_bearer_gets_a_polite_no_and_no_picture(harness: Harness) -> None:
    users = await _pushed_day_in_two_districts(harness)

    (reply,) = await _ask(harness, users["state"], "/chart")

    assert reply.photo is None
    assert "संगठन महामंत्री" in reply.text


async def test_an_unknown_period_gets_the_usage_and_nothing_assigned_gets_no_empty_pictures(
        harness: Harness) -> None:
    async with harness.db.sessions() as session:
        secretary = await make_office_bearer(session, role=Role.organisation_secretary, language="en")
        await session.commit()
    user = await harness.register(secretary, user_id=8200, language_code="en")

    (usage,) = await _ask(harness, user, "/chart year")
    (nothing,) = await _ask(harness, user, "/chart")

    assert "/chart month" in usage.text
    assert nothing.photo is None and "no calls were assigned" in nothing.text
