"""The dashboard over HTTP against the real database: the shell page, init-data authentication, roles, the
overview's figures, the audit log, security headers and the per-person rate limit."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import Viewer
from bot.audit import AuditAction
from bot.config import Settings
from bot.review.periods import Level, Period, PeriodKind
from bot.review.progress import progress_view
from models import AuditEntry, Outcome, Role
from tests.conftest import Database
from tests.factories import make_assignment, make_booth, make_office_bearer, make_report
from web.app import build_web_app
from web.initdata import sign_init_data
from web.ratelimit import RateLimit
from web.seatmap import seat_number_for

TOKEN = "123456:web-test-token"
NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
TODAY = NOW.date()
SECRETARY, INCHARGE, BEARER, STRANGER = 7001, 7002, 7003, 7999
SETTINGS = replace(Settings(), telegram=replace(Settings().telegram, token=TOKEN))


def init_data(user_id: int, *, at: datetime = NOW, token: str = TOKEN) -> str:
    """Init data as Telegram would hand it to the Mini App of the user."""
    return sign_init_data({"user": json.dumps({"id": user_id, "first_name": "Test", "language_code": "hi"}),
                           "auth_date": str(int(at.timestamp())), "query_id": "AAQ"}, token)


def auth(user_id: int, **kwargs: object) -> dict[str, str]:
    """The header every API call sends."""
    return {"Authorization": f"tma {init_data(user_id, **kwargs)}"}  # type: ignore[arg-type]


async def _people_and_calls(session: AsyncSession) -> None:
    """A secretary, a district in-charge of Varanasi, a state office-bearer, and calls in two districts."""
    await make_office_bearer(session, name="संगठन महामंत्री", role=Role.organisation_secretary,
                             telegram_user_id=SECRETARY)
    await make_office_bearer(session, name="जिला प्रभारी", role=Role.district_incharge, districts=("Varanasi",),
                             telegram_user_id=INCHARGE, language="en")
    caller = await make_office_bearer(session, name="प्रदेश पदाधिकारी", telegram_user_id=BEARER)
    lucknow = [await make_booth(session) for _ in range(2)]
    varanasi = [await make_booth(session, district="Varanasi", region="Kashi", lok_sabha="Varanasi",
                                 assembly_no=390, assembly="Varanasi Cantt.") for _ in range(3)]
    outcomes = [Outcome.talked, Outcome.no_answer, Outcome.talked, Outcome.busy, None]
    for slot, (booth, outcome) in enumerate(zip([*lucknow, *varanasi], outcomes, strict=True), start=1):
        assignment = await make_assignment(session, office_bearer=caller, booth=booth, day=TODAY, slot=slot)
        if outcome is not None:
            await make_report(session, assignment, outcome=outcome, at=NOW - timedelta(hours=1))
    await session.commit()


@pytest.fixture
async def client(db: Database, session: AsyncSession) -> AsyncIterator[httpx.AsyncClient]:
    """The dashboard app on the test database, at a fixed clock, with people and calls loaded."""
    await _people_and_calls(session)
    app = build_web_app(SETTINGS, db.sessions, lambda: NOW, rate_limit=RateLimit(5))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        yield http


async def test_the_shell_page_needs_no_auth_and_carries_the_security_headers(client: httpx.AsyncClient) -> None:
    response = await client.get("/app/")

    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self' https://telegram.org" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors https://web.telegram.org https://*.telegram.org" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert '<html lang="hi">' in response.text and "बात हुई" in response.text
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", response.text, re.S)
    assert scripts and all("src=" in attributes and not body.strip() for attributes, body in scripts)
    assert not re.search(r"\son[a-z]+=", response.text), "no inline event handlers"


async def test_the_shell_page_speaks_english_on_request_and_its_assets_are_served(
        client: httpx.AsyncClient) -> None:
    page = await client.get("/app/?lang=en")
    script = await client.get("/app/static/app.js")
    style = await client.get("/app/static/app.css")

    assert '<html lang="en">' in page.text and "Conversations" in page.text
    assert script.status_code == 200 and "tgWebAppData" in script.text and "tma " in script.text
    assert style.status_code == 200
    assert "content-security-policy" in script.headers


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer abc"},
    {"Authorization": "tma "},
    {"Authorization": f"tma {init_data(SECRETARY, token='999:another-bot')}"},
    {"Authorization": f"tma {init_data(SECRETARY).replace('7001', '7002')}"},
    auth(SECRETARY, at=NOW - timedelta(minutes=61)),
    auth(SECRETARY, at=NOW + timedelta(minutes=30)),
])
async def test_missing_tampered_or_expired_init_data_gets_401(client: httpx.AsyncClient,
                                                               headers: dict[str, str]) -> None:
    for path in ("/app/api/me", "/app/api/overview?period=day"):
        response = await client.get(path, headers=headers)

        assert response.status_code == 401
        assert response.json()["error"] == "unauthorized"
        assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("user_id", [BEARER, STRANGER])
async def test_a_state_office_bearer_or_a_stranger_gets_403(client: httpx.AsyncClient, user_id: int) -> None:
    response = await client.get("/app/api/overview?period=day", headers=auth(user_id))

    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


async def test_me_says_who_is_looking(client: httpx.AsyncClient) -> None:
    response = await client.get("/app/api/me", headers=auth(INCHARGE))

    assert response.status_code == 200
    assert response.json() == {"name": "जिला प्रभारी", "role": "district_incharge", "role_label": "District in-charge",
                               "language": "en"}


async def _expected(db: Database, user_id: int, kind: PeriodKind) -> dict[str, object]:
    from bot.outreach.people import find_user

    async with db.sessions() as session:
        person = await find_user(session, user_id)
        assert person is not None
        viewer = Viewer.of(person)
        level, area_id = viewer.home()
        outreach = SETTINGS.outreach
        view = await progress_view(session, viewer, level=level, area_id=area_id, period=Period(kind, TODAY),
                                   today=TODAY, grace_days=outreach.report_grace_days, now=NOW, zone=outreach.zone,
                                   focus=outreach.focus_lok_sabha)
    return {"conversations": view.totals.conversations, "assigned": view.totals.assigned,
            "not_connected": view.totals.not_connected, "checked": view.totals.checked,
            "confirmed": view.totals.confirmed, "coverage": view.coverage and view.coverage.share_30,
            "level": view.area.level.value, "rows": [row.name for row in view.rows]}


def _figures(body: dict[str, object]) -> dict[str, object]:
    totals, coverage, area = body["totals"], body["coverage"], body["area"]
    assert isinstance(totals, dict) and isinstance(area, dict) and isinstance(body["rows"], list)
    return {key: totals[key] for key in ("conversations", "assigned", "not_connected", "checked", "confirmed")} | {
        "coverage": coverage and coverage["share_30"],  # type: ignore[index]
        "level": area["level"], "rows": [row["name"] for row in body["rows"]]}


@pytest.mark.parametrize("kind", list(PeriodKind))
async def test_the_secretary_gets_the_states_figures_as_summary_counts_them(
        client: httpx.AsyncClient, db: Database, kind: PeriodKind) -> None:
    response = await client.get(f"/app/api/overview?period={kind.value}", headers=auth(SECRETARY))

    assert response.status_code == 200
    body = response.json()
    assert _figures(body) == await _expected(db, SECRETARY, kind)
    assert body["totals"]["conversations"] == 2 and body["totals"]["assigned"] == 5
    assert body["period"] == {"kind": kind.value, "start": (TODAY - timedelta(days={"day": 0, "week": 6,
                              "month": 29}[kind.value])).isoformat(), "end": TODAY.isoformat(),
                              "days": {"day": 1, "week": 7, "month": 30}[kind.value]}


async def test_a_district_incharge_gets_only_their_districts_figures(client: httpx.AsyncClient,
                                                                     db: Database) -> None:
    response = await client.get("/app/api/overview?period=week", headers=auth(INCHARGE))

    assert response.status_code == 200
    body = response.json()
    assert _figures(body) == await _expected(db, INCHARGE, PeriodKind.week)
    assert body["area"]["level"] == Level.district.value and body["area"]["name"] == "Varanasi"
    assert (body["totals"]["assigned"], body["totals"]["conversations"]) == (3, 1)


async def test_each_view_of_the_figures_is_audited(client: httpx.AsyncClient, db: Database) -> None:
    await client.get("/app/api/overview?period=month", headers=auth(SECRETARY))
    await client.get("/app/api/overview?period=day", headers=auth(BEARER))

    async with db.sessions() as session:
        entries = (await session.execute(select(AuditEntry).where(
            AuditEntry.action == AuditAction.dashboard_viewed.value))).scalars().all()
    assert len(entries) == 1
    entry = entries[0]
    assert entry.actor_label == "dashboard" and entry.at == NOW and entry.subject == "overview:state:0"
    assert entry.detail is not None and entry.detail["period"] == "month"


async def test_an_unknown_period_is_a_bad_request(client: httpx.AsyncClient) -> None:
    response = await client.get("/app/api/overview?period=year", headers=auth(SECRETARY))

    assert response.status_code == 400


async def test_a_person_asking_too_often_gets_429_and_others_are_not_held_back(client: httpx.AsyncClient) -> None:
    answers = [(await client.get("/app/api/me", headers=auth(SECRETARY))).status_code for _ in range(6)]

    assert answers == [200] * 5 + [429]
    refused = await client.get("/app/api/overview?period=day", headers=auth(SECRETARY))
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert (await client.get("/app/api/me", headers=auth(INCHARGE))).status_code == 200


def _seat(body: dict[str, object], name_en: str) -> dict[str, object]:
    features = body["features"]
    assert isinstance(features, list)
    (feature,) = [f for f in features if f["properties"]["name_en"] == name_en]
    return feature["properties"]  # type: ignore[no-any-return]


async def test_the_map_is_the_80_seats_with_the_figures_of_the_seats_the_secretary_sees(
        client: httpx.AsyncClient, db: Database) -> None:
    response = await client.get("/app/api/map?period=day", headers=auth(SECRETARY))

    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 80
    assert {f["geometry"]["type"] for f in body["features"]} == {"MultiPolygon"}
    lucknow, varanasi = _seat(body, "Lucknow"), _seat(body, "Varanasi")
    assert (lucknow["counts"]["assigned"], lucknow["counts"]["conversations"]) == (2, 1)
    assert (varanasi["counts"]["assigned"], varanasi["counts"]["conversations"]) == (3, 1)
    assert lucknow["name"] == lucknow["name_hi"] == "लखनऊ"
    assert _seat(body, "Rampur")["counts"] is None, "a seat without calls has no figures"
    async with db.sessions() as session:
        details = (await session.execute(select(AuditEntry.detail).where(
            AuditEntry.action == AuditAction.dashboard_viewed.value))).scalars().all()
    assert [detail["view"] for detail in details] == ["map"]


async def test_a_district_incharge_sees_figures_only_for_the_seats_of_their_districts(
        client: httpx.AsyncClient) -> None:
    response = await client.get("/app/api/map?period=day", headers=auth(INCHARGE))
    refused = await client.get("/app/api/map?period=day")

    assert response.status_code == 200
    body = response.json()
    assert _seat(body, "Varanasi")["counts"]["assigned"] == 3
    assert _seat(body, "Lucknow")["counts"] is None
    assert _seat(body, "Varanasi")["name"] == "Varanasi", "in the reader's language"
    assert refused.status_code == 401


async def test_the_map_picture_colours_the_covered_seats_by_their_conversation_share_and_greys_the_rest(
        client: httpx.AsyncClient) -> None:
    response = await client.get("/app/api/map.svg?period=day", headers=auth(SECRETARY))
    page = await client.get("/app/")

    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")
    svg = ElementTree.fromstring(response.text)
    paths = {path.get("data-pc"): path for path in svg.iter("{http://www.w3.org/2000/svg}path")
             if path.get("data-pc")}
    titles = "".join(svg.itertext())
    assert len(paths) == 80
    assert "लखनऊ — बात 50%" in titles and "वाराणसी — बात 33%" in titles
    assert "no-data" not in (paths[str(seat_number_for("Lucknow"))].get("class") or "")
    assert "no-data" in (paths[str(seat_number_for("Rampur"))].get("class") or "")
    assert 'id="map"' in page.text
