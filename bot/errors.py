"""Domain errors: small exceptions that carry a catalog key, turned into a reply by the handlers."""

from __future__ import annotations


class DomainError(Exception):
    """Something the user asked for cannot be done; `key` names the catalog text that says why."""

    key = "error.generic"

    def __init__(self, **params: object) -> None:
        super().__init__(self.key)
        self.params = params


class UnknownNumber(DomainError):
    """The shared phone number is not on the office-bearer roster."""

    key = "register.unknown_number"


class NotOwnContact(DomainError):
    """Someone shared another person's contact instead of their own."""

    key = "register.not_own_contact"


class NotRegistered(DomainError):
    """The sender has not registered (or was deactivated)."""

    key = "register.needed"


class NotAllowed(DomainError):
    """The sender's role does not allow this."""

    key = "access.denied"


class NotYourAssignment(DomainError):
    """A button for a call that belongs to someone else (or does not exist)."""

    key = "report.not_yours"


class LeaveDateOutOfRange(DomainError):
    """Leave must end today or later, and within the allowed number of days."""

    key = "leave.out_of_range"


class NotACaller(DomainError):
    """Only state office-bearers and district in-charges receive contacts, so only they take leave."""

    key = "leave.not_a_caller"


class ReportWindowClosed(DomainError):
    """The call was assigned too long ago to be reported now."""

    key = "report.too_old"


class CallGivenAgain(DomainError):
    """The booth president was given out again on a later day (a second attempt): report on that day's call,
    so that one conversation is not counted twice."""

    key = "report.given_again"


class AlreadyReported(DomainError):
    """The call already has a final report (talked, or wrong number)."""

    key = "report.already_final"


class UnknownBooth(DomainError):
    """No booth has this assembly number and booth number."""

    key = "booth.unknown"


class BoothNotInScope(DomainError):
    """The booth lies outside the districts (or region) the person looks after."""

    key = "booth.not_in_scope"


class NeedNotInScope(DomainError):
    """A need of a booth outside the districts the person follows up (a forged button)."""

    key = "needs.not_yours"


class NeedChanged(DomainError):
    """The need was changed by someone else, or deleted, since the button was shown."""

    key = "needs.stale"


class NotTheNeedOwner(DomainError):
    """Only a need's owner, the organisation secretary or an admin may hand it to someone else."""

    key = "needs.handover.not_owner"


class NotANeedHandoverTarget(DomainError):
    """A need may go only to an active district in-charge of its district or to the secretary (a forged button)."""

    key = "needs.handover.not_a_target"
