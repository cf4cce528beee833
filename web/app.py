"""The dashboard's web app: the Mini App's shell page, its static files and its JSON API under /app/api/.

Every API request proves who is looking with the Mini App's init data (`Authorization: tma <initData>`),
is limited per Telegram user, opens one session, asks the domain (`bot.access` decides who sees what,
`bot.review` counts) and answers plain JSON; each data view is written to the audit log. Every response
carries the security headers: a Content-Security-Policy with no inline scripts and no framing except by
Telegram's web clients.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.access import Viewer, uses_dashboard
from bot.audit import AuditAction, record
from bot.config import Settings, local_today
from bot.db import SessionFactory, session_scope
from bot.errors import DomainError
from bot.i18n import catalog, enum_label, normalise_language, translate
from bot.outreach.people import find_user
from bot.review.periods import Level, Period, PeriodKind
from bot.review.progress import ProgressView, progress_view
from models import OfficeBearer
from web.initdata import InitDataInvalid, validate_init_data
from web.ratelimit import RateLimit
from web.seatmap import seat_numbers_for
from web.views import map_json, map_svg, me_json, overview_json

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
DEVANAGARI_FONT = files("fontpkg_noto_sans_devanagari") / "files" / "NotoSansDevanagari[wdth,wght].ttf"
"""The same Noto Sans Devanagari the charts draw with."""
APP_PATH = "/app"
API_PATH = f"{APP_PATH}/api"
AUTH_SCHEME = "tma"
TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js"
FRAME_ANCESTORS = "https://web.telegram.org https://*.telegram.org"
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self' https://telegram.org",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    f"frame-ancestors {FRAME_ANCESTORS}",
])
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}
REQUESTS_PER_MINUTE = 60
"""How many API requests one Telegram user may make in any minute before getting 429."""


class SecurityHeaders:
    """ASGI middleware adding the security headers to every HTTP response (and `no-store` to the API's)."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap `app`."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers as the response starts."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = str(scope.get("path", "")).startswith(f"{API_PATH}/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(name, value) for name, value in message.get("headers", [])
                           if name.decode("latin-1").lower() not in SECURITY_HEADERS]
                headers += [(name.encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]
                if api:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class Refused(Exception):
    """An API request is answered with an error: its status, its code and the catalog key of its message."""

    def __init__(self, status: int, code: str, key: str, *, headers: dict[str, str] | None = None) -> None:
        """A refusal with HTTP `status`, a short `code` for the page and the message's catalog `key`."""
        super().__init__(code)
        self.status, self.code, self.key, self.headers = status, code, key, headers or {}


@dataclass(frozen=True)
class Caller:
    """Who is asking, once authenticated: the office-bearer and the language to answer in."""

    person: OfficeBearer
    language: str


def build_web_app(settings: Settings, sessions: SessionFactory, clock: Callable[[], datetime], *,
                  rate_limit: RateLimit | None = None) -> Starlette:
    """The dashboard as an ASGI app serving `/app/`, `/app/static/` and `/app/api/`.

    `clock` gives the time for the init data's age, the rate limit and "today"; `rate_limit` defaults to
    `REQUESTS_PER_MINUTE` per Telegram user.
    """
    token = settings.telegram.token
    if not token:
        raise ValueError("telegram.token is needed to check the Mini App's init data")
    bot_token: str = token
    max_age = timedelta(minutes=settings.web.max_auth_age_minutes)
    limiter = rate_limit or RateLimit(REQUESTS_PER_MINUTE)
    default_language = settings.outreach.default_language
    outreach = settings.outreach
    templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))

    def texts(language: str) -> dict[str, str]:
        return {key.removeprefix("web."): text for key, text in catalog(language).items() if key.startswith("web.")}

    async def shell(request: Request) -> Response:
        language = normalise_language(request.query_params.get("lang"), default_language)
        page = templates.get_template("app.html").render(
            language=language, t=texts(language), telegram_script=TELEGRAM_SCRIPT, static=f"{APP_PATH}/static",
            api=API_PATH, periods=[kind.value for kind in PeriodKind])
        return HTMLResponse(page)

    async def devanagari_font(_request: Request) -> Response:
        """Noto Sans Devanagari (OFL, from the PyPI package the charts use), for a phone without it: the page
        loads nothing from outside our own server."""
        with as_file(DEVANAGARI_FONT) as path:
            return FileResponse(path, media_type="font/ttf", headers={"cache-control": "public, max-age=604800"})

    async def to_shell(_request: Request) -> Response:
        return RedirectResponse(f"{APP_PATH}/", status_code=308)

    async def authenticate(request: Request, session: AsyncSession) -> Caller:
        scheme, _, raw = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != AUTH_SCHEME or not raw.strip():
            raise Refused(401, "unauthorized", "web.error.unauthorized")
        now = clock()
        try:
            data = validate_init_data(raw.strip(), bot_token, now=now, max_age=max_age)
        except InitDataInvalid as exc:
            log.info("dashboard: refused init data (%s)", type(exc).__name__)
            raise Refused(401, "unauthorized", "web.error.unauthorized") from None
        if not limiter.allow(data.user_id, now):
            raise Refused(429, "rate_limited", "web.error.rate_limited",
                          headers={"retry-after": str(limiter.retry_after(data.user_id, now))})
        person = await find_user(session, data.user_id)
        if person is None or not uses_dashboard(person):
            raise Refused(403, "forbidden", "web.error.forbidden")
        return Caller(person, normalise_language(person.language, default_language))

    def api(work: Callable[[Request, AsyncSession, Caller], Any]) -> Callable[[Request], Any]:
        """An API endpoint: one session, authentication, then `work`; refusals become JSON errors."""

        async def endpoint(request: Request) -> Response:
            try:
                async with session_scope(sessions) as session:
                    caller = await authenticate(request, session)
                    result = await work(request, session, caller)
                    return result if isinstance(result, Response) else JSONResponse(result)
            except Refused as refused:
                language = normalise_language(None, default_language)
                return JSONResponse({"error": refused.code, "message": translate(language, refused.key)},
                                    status_code=refused.status, headers=refused.headers)

        return endpoint

    async def me(_request: Request, _session: AsyncSession, caller: Caller) -> dict[str, Any]:
        return me_json(caller.person, caller.language, enum_label(caller.language, caller.person.role))

    async def viewed(request: Request, session: AsyncSession, caller: Caller, level: Level,
                     area_id: int, name: str) -> ProgressView:
        """The progress view the request's period asks for, as the caller may see it, written to the audit log."""
        try:
            kind = PeriodKind(request.query_params.get("period", PeriodKind.day.value))
        except ValueError:
            raise Refused(400, "bad_request", "web.error.failed") from None
        now = clock()
        today = local_today(now, outreach.zone)
        period = Period(kind, today)
        try:
            view = await progress_view(session, Viewer.of(caller.person), level=level, area_id=area_id,
                                       period=period, today=today, grace_days=outreach.report_grace_days, now=now,
                                       zone=outreach.zone, focus=outreach.focus_lok_sabha)
        except DomainError:
            raise Refused(403, "forbidden", "web.error.forbidden") from None
        record(session, AuditAction.dashboard_viewed, at=now, actor_id=caller.person.id, actor_label="dashboard",
               subject=f"{name}:{level.value}:{area_id}",
               detail={"view": name, "level": level.value, "area_id": area_id, "period": kind.value,
                       "start": period.start.isoformat(), "end": period.end.isoformat()})
        return view

    async def overview(request: Request, session: AsyncSession, caller: Caller) -> dict[str, Any]:
        level, area_id = Viewer.of(caller.person).home()
        return overview_json(await viewed(request, session, caller, level, area_id, "overview"))

    async def seat_map(request: Request, session: AsyncSession, caller: Caller) -> dict[str, Any]:
        view = await viewed(request, session, caller, Level.seats, 0, "map")
        return map_json(view, language=caller.language)

    async def seat_map_picture(request: Request, session: AsyncSession, caller: Caller) -> Response:
        view = await viewed(request, session, caller, Level.seats, 0, "map")
        focus, _unknown = seat_numbers_for(outreach.focus_lok_sabha)
        return Response(map_svg(view, language=caller.language, focus=focus), media_type="image/svg+xml")

    routes = [
        Route(APP_PATH, to_shell, methods=["GET"]),
        Route(f"{APP_PATH}/", shell, methods=["GET"]),
        Route(f"{APP_PATH}/static/fonts/noto-sans-devanagari.ttf", devanagari_font, methods=["GET"]),
        Mount(f"{APP_PATH}/static", app=StaticFiles(directory=HERE / "static"), name="static"),
        Route(f"{API_PATH}/me", api(me), methods=["GET"]),
        Route(f"{API_PATH}/overview", api(overview), methods=["GET"]),
        Route(f"{API_PATH}/map", api(seat_map), methods=["GET"]),
        Route(f"{API_PATH}/map.svg", api(seat_map_picture), methods=["GET"]),
    ]
    app = Starlette(routes=routes)
    app.add_middleware(SecurityHeaders)
    return app
