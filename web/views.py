"""Plain JSON from the domain's view models: the figures as the domain counted them, no text."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict
from typing import Any

from bot.i18n import translate
from bot.review.coverage import CoverageFigures
from bot.review.progress import Counts, ProgressRow, ProgressView, Registration
from models import OfficeBearer
from web.seatmap import load_seats, render_map, seat_number_for


def counts_json(counts: Counts) -> dict[str, Any]:
    """Every count, with the derived figures the chat shows (conversations, attempts, unreported, share)."""
    return {**asdict(counts), "conversations": counts.conversations, "not_connected": counts.not_connected,
            "number_wrong": counts.number_wrong, "unreported": counts.unreported,
            "conversation_percent": counts.conversation_percent}


def coverage_json(coverage: CoverageFigures | None) -> dict[str, Any] | None:
    """Booth presidents talked to in the last 30 and 90 days, as counts and whole percents."""
    if coverage is None:
        return None
    return {**asdict(coverage), "share_30": coverage.share_30, "share_90": coverage.share_90}


def registration_json(registration: Registration | None) -> dict[str, Any] | None:
    """How many active booth presidents joined the bot, and the share."""
    if registration is None:
        return None
    return {**asdict(registration), "percent": registration.percent}


def row_json(row: ProgressRow) -> dict[str, Any]:
    """One row one level down: its id, name, whether a focus seat, its counts and registration."""
    return {"id": row.id, "name": row.name, "focus": row.focus, "counts": counts_json(row.counts),
            "registration": registration_json(row.registration)}


def overview_json(view: ProgressView) -> dict[str, Any]:
    """A progress view as the dashboard's overview: area, period, totals and the previous period's, trend,
    coverage, registration, the rows one level down and the open needs. Lists of people needing attention are
    left out until the dashboard shows them with the bot's rules for phone numbers."""
    area, period = view.area, view.period
    return {
        "area": {"level": area.level.value, "id": area.id, "name": area.name, "charge": area.charge},
        "period": {"kind": period.kind.value, "start": period.start.isoformat(), "end": period.end.isoformat(),
                   "days": period.days},
        "totals": counts_json(view.totals),
        "previous": counts_json(view.previous),
        "trend": {"conversations": view.trend.conversations},
        "coverage": coverage_json(view.coverage),
        "registration": registration_json(view.registration),
        "flagged": view.flagged,
        "rows_level": None if view.rows_level is None else view.rows_level.value,
        "rows": [row_json(row) for row in view.rows],
        "open_needs": [{"category": needs.category.value, "fresh": needs.fresh, "aging": needs.aging,
                        "old": needs.old, "total": needs.total} for needs in view.open_needs],
    }


def map_json(view: ProgressView, *, language: str) -> dict[str, Any]:
    """The 80 Lok Sabha seats as a GeoJSON FeatureCollection, each feature's properties holding its number,
    names, whether it is a focus seat, and — for the seats the view covers — its counts and registration
    (None for a seat outside the viewer's districts or without calls). The boundaries are the map's own."""
    rows = {seat_number_for(row.name): row for row in view.rows}
    features = []
    for seat in load_seats():
        row = rows.get(seat.pc_no)
        features.append({
            "type": "Feature",
            "id": seat.pc_no,
            "properties": {"pc_no": seat.pc_no, "name": seat.name(language), "name_en": seat.name_en,
                           "name_hi": seat.name_hi, "focus": bool(row and row.focus),
                           "counts": counts_json(row.counts) if row else None,
                           "registration": registration_json(row.registration) if row else None},
            "geometry": {"type": "MultiPolygon",
                         "coordinates": [[[list(point) for point in ring] for ring in polygon]
                                         for polygon in seat.polygons]},
        })
    period = view.period
    return {"type": "FeatureCollection", "features": features,
            "period": {"kind": period.kind.value, "start": period.start.isoformat(), "end": period.end.isoformat()}}


def map_svg(view: ProgressView, *, language: str, focus: Collection[int]) -> str:
    """The seats view drawn as the map: each covered seat coloured by its conversation share (0–100%), its
    title saying the share; seats without figures grey; the focus seats outlined."""
    shares: dict[int, float | None] = {}
    labels: dict[int, str] = {}
    for row in view.rows:
        number = seat_number_for(row.name)
        if number is None:
            continue
        share = row.counts.conversation_percent
        shares[number] = share
        labels[number] = translate(language, "map.label", percent="–" if share is None else f"{share}%")
    return render_map(shares, focus=focus, language=language, labels=labels, domain=(0.0, 100.0))


def me_json(person: OfficeBearer, language: str, role_label: str) -> dict[str, Any]:
    """Who is looking: their name, role (value and label in their language) and language."""
    return {"name": person.name, "role": person.role.value, "role_label": role_label, "language": language}
