"""The IT cell's lists in words: a `/people` page and the `/audit` entries."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime, tzinfo

from bot.i18n import format_time, translate
from bot.outreach import admin


def _when(language: str, moment: datetime | None, zone: tzinfo) -> str:
    if moment is None:
        return "—"
    return format_time(language, moment, zone)


def render_people(language: str, page: admin.PeoplePage, zone: tzinfo) -> str:
    """A `/people` page: name, role, districts, and since when or why each person is listed."""
    if not page.people:
        return translate(language, f"admin.people.none.{page.kind.value}")
    lines = [translate(language, f"admin.people.title.{page.kind.value}", total=page.total, page=page.page,
                       pages=page.pages)]
    for n, line in enumerate(page.people, start=(page.page - 1) * admin.PAGE_SIZE + 1):
        districts = ", ".join(html.escape(d) for d in line.districts) or "—"
        status = (translate(language, "admin.people.unreachable_since", since=_when(language, line.since, zone),
                            reason=html.escape(line.reason or "—"))
                  if page.kind is admin.PeopleKind.unreachable else translate(language, "admin.people.not_started"))
        lines.append(translate(language, "admin.people.line", n=n, name=html.escape(line.name),
                               role=translate(language, f"role.{line.role.value}"), districts=districts,
                               status=status))
    if page.page < page.pages:
        lines.append(translate(language, "admin.people.more", kind=page.kind.value, next=page.page + 1))
    return "\n".join(lines)


def audit_text(language: str, entries: Sequence[admin.AuditLine], zone: tzinfo) -> str:
    """The `/audit` message: when, who, what and on which record, newest first (no phone numbers)."""
    lines = [translate(language, "admin.audit.title", count=len(entries))]
    lines += [translate(language, "admin.audit.line", at=_when(language, e.at, zone), actor=html.escape(e.actor),
                        action=html.escape(e.action), subject=html.escape(e.subject or "—")) for e in entries]
    return "\n".join(lines)
