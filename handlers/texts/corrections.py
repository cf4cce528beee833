"""The corrections list in words: each pending correction with its booth, what was reported and any proposal."""

from __future__ import annotations

import html
from zoneinfo import ZoneInfo

from bot.i18n import format_time, translate
from bot.outreach.corrections import PAGE_SIZE, CorrectionItem, CorrectionsPage
from models import CorrectionKind, CorrectionStatus


def kind_label(language: str, kind: CorrectionKind) -> str:
    """Why the booth's president needs correcting, in words."""
    return translate(language, f"corrections.kind.{kind.value}")


def booth_line(language: str, item: CorrectionItem) -> str:
    """The booth of a correction and the map above it."""
    return translate(language, "corrections.booth", booth_no=item.booth_no, booth_name=html.escape(item.booth_name),
                     assembly_no=item.assembly_no, assembly=html.escape(item.assembly),
                     district=html.escape(item.district))


def _item_lines(language: str, n: int, item: CorrectionItem, zone: ZoneInfo) -> list[str]:
    reported = translate(language, "corrections.reported_by", name=html.escape(item.reported_by),
                         at=format_time(language, item.reported_at, zone)) if item.reported_by else \
        translate(language, "corrections.reported_at", at=format_time(language, item.reported_at, zone))
    lines = [translate(language, "corrections.item", n=n, kind=kind_label(language, item.kind)),
             "   " + booth_line(language, item),
             translate(language, "corrections.old", name=html.escape(item.president), phone=item.phone),
             reported]
    if item.status is CorrectionStatus.proposed and item.proposed_name and item.proposed_phone:
        lines.append(translate(language, "corrections.proposed", name=html.escape(item.proposed_name),
                               phone=item.proposed_phone))
    else:
        lines.append(translate(language, "corrections.waiting"))
    return lines


def render_corrections(language: str, page: CorrectionsPage, *, zone: ZoneInfo, notice: str | None = None) -> str:
    """The page as Telegram HTML: what just happened (if anything), a title and each correction."""
    lines = [notice, ""] if notice else []
    lines.append(translate(language, "corrections.title", total=page.total, page=page.page + 1, pages=page.pages))
    if not page.items:
        lines.append(translate(language, "corrections.none"))
    for n, item in enumerate(page.items, start=page.page * PAGE_SIZE + 1):
        lines.extend(_item_lines(language, n, item, zone))
    return "\n".join(lines)


def ask_name_and_number(language: str, item: CorrectionItem) -> str:
    """The request for the booth's new president: name and mobile number in one message."""
    return translate(language, "corrections.ask", booth=booth_line(language, item),
                     old=html.escape(item.president))


def understood(language: str, item: CorrectionItem, *, name: str, phone: str) -> str:
    """What the bot read from the typed message, to be sent or typed again."""
    return translate(language, "corrections.understood", booth=booth_line(language, item), name=html.escape(name),
                     phone=phone)


def proposal_sent(language: str, item: CorrectionItem) -> str:
    """The proposal is stored and waits for an admin."""
    return translate(language, "corrections.sent", booth=booth_line(language, item),
                     name=html.escape(item.proposed_name or ""), phone=item.proposed_phone or "")


def decision_notice(language: str, item: CorrectionItem, *, confirmed: bool) -> str:
    """What an admin's button just did to the proposal of which booth."""
    key = "corrections.confirmed" if confirmed else "corrections.rejected"
    return translate(language, key, booth_no=item.booth_no, assembly_no=item.assembly_no,
                     name=html.escape(item.proposed_name or ""))
