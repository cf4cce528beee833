"""Verification in words: the back-check question to a booth president, the `/flags` list and the trail of
one call (`/call`)."""

from __future__ import annotations

import html
from datetime import datetime, tzinfo

from bot.i18n import enum_label, format_day, format_time, translate
from bot.outreach.backchecks import BackCheckQuestion, VerifierAnswer, VerifierCall
from bot.phones import display_phone
from bot.review.flags import Flag, Verification
from bot.review.trail import CallTrail, TrailBackCheck
from handlers.texts.fit import MAX_LIST_ENTRIES


def question_text(language: str, question: BackCheckQuestion) -> str:
    """The back-check question: did this office-bearer call you on that day (or, for a call reported as not
    connected, did they try to)?"""
    key = "reach.backcheck.ask_attempted" if question.attempted_only else "backcheck.ask_called"
    return translate(language, key, name=html.escape(question.president_name),
                     caller=html.escape(question.caller_name), day=format_day(language, question.day))


def verifier_call_text(language: str, call: VerifierCall) -> str:
    """A verifier's call to make: the booth president's name and number, the booth, who reported talking to
    them and when, and what to ask."""
    return translate(language, "reach.verifier.call", id=call.back_check_id,
                     president=html.escape(call.president_name), phone=display_phone(call.phone),
                     booth_no=call.booth_no, booth_name=html.escape(call.booth_name),
                     assembly=html.escape(call.assembly), district=html.escape(call.district),
                     caller=html.escape(call.caller_name), role=enum_label(language, call.caller_role),
                     day=format_day(language, call.day))


def verifier_answer_label(language: str, answer: VerifierAnswer) -> str:
    """The label of a verifier's answer button, also shown under the call once it is answered."""
    return translate(language, f"reach.verifier.answer.{answer.value}")


def verifier_answered_text(language: str, call_text: str, answer: VerifierAnswer) -> str:
    """The verifier's call message once answered: as it was, with what was recorded under it."""
    recorded = translate(language, "reach.verifier.recorded", answer=verifier_answer_label(language, answer))
    return f"{call_text}\n\n{recorded}" if call_text else recorded


def _flag_labels(language: str, flags: tuple[Flag, ...]) -> str:
    return "; ".join(translate(language, f"flag.{flag.value}") for flag in flags)


def _percent(share: float | None) -> str:
    return "–" if share is None else f"{round(100 * share)}%"


def flags_text(language: str, result: Verification) -> str:
    """The `/flags` message: the period's figures, the callers far from their peers, and the flagged calls.

    Each list stops after `MAX_LIST_ENTRIES` (the flagged calls listed are those given a button); with names of
    usual length the message stays well inside one Telegram message, so it is not fitted.
    """
    totals = result.totals
    lines = [translate(language, "flags.title", start=format_day(language, result.start),
                       end=format_day(language, result.end)),
             translate(language, "flags.totals", conversations=totals.conversations, asked=totals.asked,
                       checked=totals.checked, confirmed=totals.confirmed, disputed=totals.disputed,
                       flagged=totals.flagged)]
    outliers = [caller for caller in result.callers if caller.outliers]
    if outliers:
        lines += ["", translate(language, "flags.outliers_title")]
        lines += [translate(language, "flags.outlier_line", name=html.escape(c.name),
                            not_answered=_percent(c.not_answered_share), all_good=_percent(c.all_good_share),
                            flags=_flag_labels(language, c.outliers)) for c in outliers[:MAX_LIST_ENTRIES]]
        if len(outliers) > MAX_LIST_ENTRIES:
            lines.append(translate(language, "flags.more", count=len(outliers) - MAX_LIST_ENTRIES))
    lines.append("")
    if not result.flagged:
        lines.append(translate(language, "flags.none"))
        return "\n".join(lines)
    lines += [translate(language, "flags.entry", id=call.assignment_id,
                        day=format_day(language, call.day, with_year=False),
                        caller=html.escape(call.caller_name), booth_no=call.booth_no,
                        booth_name=html.escape(call.booth_name), district=html.escape(call.district),
                        flags=_flag_labels(language, call.flags)) for call in result.flagged[:MAX_LIST_ENTRIES]]
    if len(result.flagged) > MAX_LIST_ENTRIES:
        lines.append(translate(language, "flags.more", count=len(result.flagged) - MAX_LIST_ENTRIES))
    lines += ["", translate(language, "flags.open_hint")]
    return "\n".join(lines)


def _time(language: str, moment: datetime, zone: tzinfo) -> str:
    return format_time(language, moment, zone, with_year=False)


def _answer(language: str, value: bool | None) -> str:
    return translate(language, "trail.answer." + ("none" if value is None else "yes" if value else "no"))


def _back_check_lines(language: str, check: TrailBackCheck | None, zone: tzinfo) -> list[str]:
    if check is None:
        return [translate(language, "trail.back_check.none")]
    if check.asked_at is None:
        return [translate(language, "trail.back_check.pending")]
    if check.error is not None:
        return [translate(language, "trail.back_check.not_delivered", error=html.escape(check.error))]
    if check.answered_at is None:
        return [translate(language, "trail.back_check.waiting", time=_time(language, check.asked_at, zone))]
    return [translate(language, "trail.back_check.answered", time=_time(language, check.asked_at, zone),
                      answered=_time(language, check.answered_at, zone), called=_answer(language, check.called),
                      needs=_answer(language, check.spoke_about_needs))]


def trail_text(language: str, trail: CallTrail, zone: tzinfo) -> str:
    """The whole trail of a call: who, whom, the delivery, every report, the flags and the back-check."""
    none = translate(language, "report.none")
    lines = [translate(language, "trail.title", id=trail.assignment_id, day=format_day(language, trail.day)),
             translate(language, "trail.caller", name=html.escape(trail.caller_name),
                       role=translate(language, f"role.{trail.caller_role.value}")),
             translate(language, "trail.president", name=html.escape(trail.president_name), phone=trail.phone),
             translate(language, "trail.booth", booth_no=trail.booth_no, booth_name=html.escape(trail.booth_name),
                       assembly_no=trail.assembly_no, assembly=html.escape(trail.assembly),
                       district=html.escape(trail.district))]
    if trail.delivered_at is not None:
        lines.append(translate(language, "trail.delivered", time=_time(language, trail.delivered_at, zone)))
    else:
        status = trail.delivery_status.value if trail.delivery_status else "pending"
        lines.append(translate(language, "trail.not_delivered",
                               status=translate(language, f"delivery_status.{status}")))
    lines += ["", translate(language, "trail.reports_title")]
    if not trail.reports:
        lines.append(translate(language, "trail.no_reports"))
    for report in trail.reports:
        lines.append(translate(language, "trail.report", time=_time(language, report.reported_at, zone),
                               outcome=translate(language, f"outcome.{report.outcome.value}")))
        if report.call_back_on is not None:
            lines.append(translate(language, "trail.report.call_back", value=format_day(language, report.call_back_on)))
        if report.wellbeing is not None:
            lines.append(translate(language, "trail.report.wellbeing",
                                   value=translate(language, f"wellbeing.{report.wellbeing.value}")))
        if report.position is not None:
            lines.append(translate(language, "trail.report.position",
                                   value=translate(language, f"strength.{report.position.value}")))
        needs = [translate(language, f"need.{n.value}") for n in report.needs]
        needs += [html.escape(detail) for detail in report.need_details]
        lines.append(translate(language, "trail.report.needs", value=", ".join(needs) or none))
        lines.append(translate(language, "trail.report.notes", value=html.escape(report.notes or "") or none))
    lines += ["", translate(language, "trail.flags_title"),
              _flag_labels(language, trail.flags) if trail.flags else translate(language, "trail.no_flags"),
              "", translate(language, "trail.back_check_title"), *_back_check_lines(language, trail.back_check, zone)]
    return "\n".join(lines)
