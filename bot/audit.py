"""The audit log: what may be written to it, and the one way to write an entry."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEntry


class AuditAction(enum.StrEnum):
    """What an audit entry records; the values are stored as they are, so they never change."""

    registered = "registered"
    paused = "paused"
    resumed = "resumed"
    contacts_shown = "contacts_shown"
    booth_viewed = "booth_viewed"
    call_trail_viewed = "call_trail_viewed"
    need_status_changed = "need_status_changed"
    export_calls = "export_calls"
    retention_applied = "retention_applied"
    person_erased = "person_erased"
    person_exported = "person_exported"
    roster_import_booths = "roster_import_booths"
    roster_import_office_bearers = "roster_import_office_bearers"
    deactivated = "deactivated"
    phone_corrected = "phone_corrected"
    contacts_resent = "contacts_resent"
    correction_opened = "correction_opened"
    corrections_viewed = "corrections_viewed"
    correction_proposed = "correction_proposed"
    correction_confirmed = "correction_confirmed"
    correction_rejected = "correction_rejected"
    correction_settled = "correction_settled"
    need_reassigned = "need_reassigned"
    president_change_reported = "president_change_reported"
    verifier_number_shown = "verifier_number_shown"
    dashboard_viewed = "dashboard_viewed"


def _length(column: object) -> int:
    """The most characters a string column of the audit log holds."""
    assert isinstance(column, String) and column.length is not None
    return column.length


ACTOR_LABEL_LENGTH = _length(AuditEntry.__table__.c.actor_label.type)
"""The most characters of `actor_label` stored; a longer label is cut."""
SUBJECT_LENGTH = _length(AuditEntry.__table__.c.subject.type)
"""The most characters of `subject` stored; a longer subject is cut."""


def record(session: AsyncSession, action: AuditAction, *, at: datetime, actor_label: str, actor_id: int | None = None,
           subject: str | None = None, detail: dict[str, object] | None = None) -> AuditEntry:
    """Add one audit entry to the session (the caller flushes or commits), cutting the label and subject to fit."""
    entry = AuditEntry(at=at, actor_id=actor_id, actor_label=actor_label[:ACTOR_LABEL_LENGTH], action=action.value,
                       subject=None if subject is None else subject[:SUBJECT_LENGTH], detail=detail)
    session.add(entry)
    return entry
