"""`/summary` over the real bot: what each role may see."""

from __future__ import annotations

from models import Role
from tests.e2e.conftest import Harness
from tests.factories import make_booth, make_office_bearer


async def _day_with_two_districts(h: Harness) -> dict[str, object]:
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
    users = {}
    for index, (key, person) in enumerate(people.items()):
        users[key] = await h.register(person, user_id=8000 + index)
    await h.push()
    await h.settle()
    return users


async def test_the_secretary_sees_every_district(harness: Harness) -> None:
    users = await _day_with_two_districts(harness)

    await users["secretary"].send_text("/summary")
    reply = await users["secretary"].next_message()

    assert "Lucknow" in reply.text and "Varanasi" in reply.text
    assert reply.parse_mode == "HTML"


async def test_a_district_incharge_sees_only_their_districts(harness: Harness) -> None:
    users = await _day_with_two_districts(harness)
    incharge = users["lucknow_incharge"]
    before = len(incharge.messages)

    await incharge.send_text("/summary week")
    await harness.settle()
    reply = incharge.messages[before]

    assert "Lucknow" in reply.text
    assert "Varanasi" not in reply.text


async def test_a_state_office_bearer_gets_a_polite_no(harness: Harness) -> None:
    users = await _day_with_two_districts(harness)
    state = users["state"]
    before = len(state.messages)

    await state.send_text("/summary")
    await harness.settle()

    (reply,) = state.messages[before:]
    assert "संगठन महामंत्री" in reply.text
    assert "Lucknow" not in reply.text


async def test_an_unknown_period_gets_the_usage(harness: Harness) -> None:
    users = await _day_with_two_districts(harness)
    secretary = users["secretary"]
    before = len(secretary.messages)

    await secretary.send_text("/summary yesterday")
    await harness.settle()

    (reply,) = secretary.messages[before:]
    assert "/summary week" in reply.text
