"""Telling a database outage (PostgreSQL restarting, the network to it gone) from a bug.

An outage is temporary: the bot answers "try again shortly", jobs try again later, and nobody needs a
traceback. Everything else is a failure worth a full log entry.
"""

from __future__ import annotations

import socket

from asyncpg.exceptions import InterfaceError, OperatorInterventionError, PostgresConnectionError
from sqlalchemy.exc import DBAPIError, OperationalError

_OUTAGES = (
    OperationalError,  # asyncpg's and SQLite's "cannot reach / cannot use the database now"
    PostgresConnectionError,  # the connection failed or was dropped
    OperatorInterventionError,  # the server is shutting down or starting up
    InterfaceError,  # "connection is closed"
    ConnectionError,  # refused or reset while connecting
    socket.gaierror,  # the database host name does not resolve
)


def is_database_outage(error: BaseException | None) -> bool:
    """Whether `error`, or what it was raised from, says the database cannot be reached just now."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, _OUTAGES) or (isinstance(error, DBAPIError) and error.connection_invalidated):
            return True
        error = error.__cause__ or error.__context__
    return False
