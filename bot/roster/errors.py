"""What is wrong with a roster file: one `RowError` per problem, `RosterInvalid` carrying them all, and
`describe_error` to show one to the person who fixes the file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.errors import DomainError
from bot.i18n import translate

FILE_ROW = 0


@dataclass(frozen=True)
class RowError:
    """One problem in a roster file: where (row, canonical column) and why (a catalog key and params).

    Row 0 stands for the file as a whole; `column` is empty when no column applies, and is the file's own
    heading (or the column letter) for a column that is not one of the format's.
    """

    row: int
    column: str
    message_key: str
    params: Mapping[str, object] = field(default_factory=dict)


class RosterInvalid(DomainError):
    """The roster file cannot be imported; `errors` lists every problem found, and nothing was written."""

    key = "roster.invalid"

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__(count=len(errors))
        self.errors = list(errors)


def describe_error(error: RowError, language: str) -> str:
    """One error as a line for the person who fixes the file, e.g. `row 14, column president_phone: …`."""
    reason = translate(language, error.message_key, **error.params)
    if error.row == FILE_ROW:
        return reason
    if error.column:
        return translate(language, "roster.error.at_cell", row=error.row, column=error.column, reason=reason)
    return translate(language, "roster.error.at_row", row=error.row, reason=reason)
