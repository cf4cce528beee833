"""The dashboard in a real browser (Debian's Chromium, driven by Playwright): opened at phone width as Telegram's
clients open it, with the init data in the URL fragment and Telegram's own script unreachable, it shows the
secretary's figures and the map, and the page writes no error to the console. Screenshots are kept in
`test-artifacts/browser/` (not committed) to look at."""

from __future__ import annotations

import asyncio
import shutil
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import pytest
import uvicorn
from playwright.async_api import ConsoleMessage, Page, async_playwright
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import Database
from tests.web.test_app import NOW, SECRETARY, SETTINGS, _people_and_calls, init_data
from web.app import build_web_app
from web.ratelimit import RateLimit

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
PHONE = {"width": 360, "height": 740}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def served(db: Database, session: AsyncSession) -> AsyncIterator[str]:
    """The dashboard on a real HTTP server on 127.0.0.1, over the test database with people and calls."""
    await _people_and_calls(session)
    app = build_web_app(SETTINGS, db.sessions, lambda: NOW, rate_limit=RateLimit(100))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def page() -> AsyncIterator[tuple[Page, list[str]]]:
    """A phone-sized page in headless Chromium, Telegram's servers unreachable, with its console errors."""
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: .ci/run and scripts/bootstrap install it"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = await browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                            has_touch=True, locale="hi-IN")
        await context.route("https://telegram.org/**", lambda route: route.abort())
        errors: list[str] = []
        opened = await context.new_page()

        def note(message: ConsoleMessage) -> None:
            if message.type == "error" and "telegram.org" not in (message.location.get("url") or ""):
                errors.append(message.text)

        opened.on("console", note)
        opened.on("pageerror", lambda error: errors.append(str(error)))
        try:
            yield opened, errors
        finally:
            await browser.close()


def _telegram_fragment(user_id: int) -> str:
    """The URL fragment Telegram's clients open a Mini App with."""
    return f"#tgWebAppData={quote(init_data(user_id), safe='')}&tgWebAppVersion=8.0&tgWebAppPlatform=android"


async def test_the_secretary_sees_the_figures_and_the_map_at_phone_width(
        served: str, page: tuple[Page, list[str]]) -> None:
    browser_page, errors = page

    await browser_page.goto(f"{served}/app/{_telegram_fragment(SECRETARY)}")
    await browser_page.wait_for_selector("#figures:not([hidden])")
    await browser_page.wait_for_selector("#map svg path[data-pc]")
    conversations = await browser_page.text_content("#conversations")
    seats = await browser_page.locator("#map svg path[data-pc]").count()
    width = await browser_page.evaluate("document.documentElement.scrollWidth")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await browser_page.evaluate("document.fonts.ready")
    await browser_page.screenshot(path=str(ARTIFACTS / "secretary-day.png"), full_page=True)
    await browser_page.click("#periods button[data-period='week']")
    await browser_page.wait_for_selector("#periods button[data-period='week'][aria-pressed='true']")

    assert conversations == "2 / 5 (40%)"
    assert seats == 80
    assert width <= PHONE["width"], "nothing wider than the phone"
    assert errors == []


async def test_without_init_data_the_page_says_to_open_it_from_telegram(
        served: str, page: tuple[Page, list[str]]) -> None:
    browser_page, errors = page

    await browser_page.goto(f"{served}/app/")
    status = await browser_page.text_content("#status")

    assert status == "इसे Telegram में बॉट से खोलें।"
    assert await browser_page.is_hidden("#figures")
    assert errors == []
