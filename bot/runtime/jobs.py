"""Scheduled work: the morning push, the retry of unsent messages, the evening reminder, the digests, the
escalation of overdue needs.

Thin wrappers: each job reads the clock, opens its own units of work and calls the domain.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from telegram.ext import Application

from bot.db import session_scope
from bot.outreach.assignment import RotationPolicy
from bot.outreach.delivery import deliver_pending, push_day, send_reminders
from bot.privacy import apply_retention
from bot.review.progress import last_closed_day
from bot.review.rollup import close_days
from bot.runtime.outage import is_database_outage
from handlers.channel import TelegramChannel, channel_for
from handlers.context import Context, Services
from handlers.needs import escalation_job
from handlers.report import TIMEOUT_CHECK_SECONDS, close_abandoned_reports
from handlers.summary import daily_digest, weekly_digest, weekly_digest_days
from handlers.verification import back_check_job, verifier_job

log = logging.getLogger(__name__)
RETRY_EVERY_SECONDS = 600
PUSH_RETRY_SECONDS = 120


def _channel(context: Context) -> TelegramChannel:
    return channel_for(context.bot, context.services.settings)


async def morning_push(context: Context) -> None:
    """Assign and deliver today's contacts (a repeat sends nothing twice).

    If the database is unreachable the push is tried again every few minutes, the same day only: a daily
    job would otherwise wait until tomorrow.
    """
    svc = context.services
    day = svc.today()
    if context.job is not None and context.job.data not in (None, day):
        return
    try:
        await push_day(svc.sessions, _channel(context), day=day, clock=svc.clock,
                       policy=RotationPolicy.from_settings(svc.settings.outreach))
    except Exception as exc:
        if not is_database_outage(exc) or context.job_queue is None:
            raise
        log.warning("morning push: database unavailable (%s); trying again in %d s", type(exc).__name__,
                    PUSH_RETRY_SECONDS)
        context.job_queue.run_once(morning_push, when=PUSH_RETRY_SECONDS, data=day, name="morning_push_retry")


async def retry_pending(context: Context) -> None:
    """After push time, send again whatever a temporary failure left pending today."""
    svc = context.services
    if _after(svc, svc.settings.outreach.push_time):
        await deliver_pending(svc.sessions, _channel(context), day=svc.today(), clock=svc.clock)


async def evening_reminder(context: Context) -> None:
    """Remind those with calls still unreported today."""
    svc = context.services
    sent = await send_reminders(svc.sessions, _channel(context), day=svc.today(), clock=svc.clock)
    log.info("evening reminder sent to %d office-bearers", sent)


async def retention(context: Context) -> None:
    """Remove call notes and need details older than the configured retention period."""
    svc = context.services
    async with session_scope(svc.sessions) as session:
        removed = await apply_retention(session, now=svc.clock(), retention_days=svc.settings.privacy.retention_days)
    log.info("retention removed %d old texts", removed)


async def rollup_job(context: Context) -> None:
    """The nightly roll-up: count the days whose report and back-check windows have closed (`bot.review.rollup`)."""
    svc = context.services
    async with session_scope(svc.sessions) as session:
        written = await close_days(session, until=last_closed_day(svc.today(), svc.settings.outreach.report_grace_days),
                                   now=svc.clock())
    log.info("roll-up wrote %d rows", written)


VERIFIERS_AFTER = timedelta(minutes=10)
"""How long after the booth presidents' back-checks the verifiers get their calls, so the order is fixed."""


def _after(svc: Services, moment: time) -> bool:
    local: datetime = svc.clock().astimezone(svc.settings.outreach.zone)
    return local.time() >= moment


def schedule(app: Application, svc: Services) -> None:  # type: ignore[type-arg]
    """Put the daily jobs on the application's JobQueue, and catch up a push missed this morning."""
    out = svc.settings.outreach
    queue = app.job_queue
    assert queue is not None, "python-telegram-bot[job-queue] is required"
    queue.run_daily(morning_push, out.push_time.replace(tzinfo=out.zone), name="morning_push")
    queue.run_daily(evening_reminder, out.reminder_time.replace(tzinfo=out.zone), name="evening_reminder")
    queue.run_repeating(retry_pending, interval=RETRY_EVERY_SECONDS, first=RETRY_EVERY_SECONDS,
                        name="retry_pending")
    review = svc.settings.review
    queue.run_daily(weekly_digest, review.weekly_digest_time.replace(tzinfo=out.zone),
                    days=weekly_digest_days(review), name="weekly_digest")
    queue.run_daily(daily_digest, review.daily_digest_time.replace(tzinfo=out.zone), name="daily_digest")
    queue.run_daily(escalation_job, review.weekly_digest_time.replace(tzinfo=out.zone), name="need_escalation")
    queue.run_daily(back_check_job, svc.settings.review.back_check_time.replace(tzinfo=out.zone),
                    name="back_checks")
    # verifiers take what the booth presidents' own back-checks left, so they come a little later
    verifiers_at = (datetime.combine(date.min, review.back_check_time) + VERIFIERS_AFTER).time()
    queue.run_daily(verifier_job, verifiers_at.replace(tzinfo=out.zone), name="verifier_calls")
    queue.run_daily(retention, svc.settings.privacy.retention_time.replace(tzinfo=out.zone), name="retention")
    queue.run_daily(rollup_job, svc.settings.privacy.retention_time.replace(tzinfo=out.zone), name="daily_rollup")
    queue.run_repeating(close_abandoned_reports, interval=TIMEOUT_CHECK_SECONDS, first=0, name="report_timeouts")
    if _after(svc, out.push_time):
        queue.run_once(morning_push, when=0, name="catch_up_push")
