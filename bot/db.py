"""Database engine, session factory and the one way to open a unit of work."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

SessionFactory = async_sessionmaker[AsyncSession]


def _sqlite_pragmas(dbapi_connection: object, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> AsyncEngine:
    """An async engine for a SQLite or PostgreSQL URL, with foreign keys and WAL on SQLite."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def make_session_factory(engine: AsyncEngine) -> SessionFactory:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def session_scope(factory: SessionFactory) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit if the block succeeds, roll back if it raises.

    The rollback and the close are shielded from cancellation: a task cancelled twice (a shutdown, a
    timeout around a cancelled push) must not leave its connection inside a transaction, which on SQLite
    would keep the write lock from everyone else.
    """
    session = factory()
    try:
        yield session
        await session.commit()
    except BaseException:
        await asyncio.shield(session.rollback())
        raise
    finally:
        await asyncio.shield(session.close())


def alembic_config(url: str) -> Config:
    """Alembic configuration pointing at the project's migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url)
    return config


def upgrade_to_head(url: str) -> None:
    """Bring the database at `url` to the newest revision (blocking: call it in a thread from async code)."""
    command.upgrade(alembic_config(url), "head")


def is_sqlite(engine: AsyncEngine | Engine) -> bool:
    """Whether the engine talks to SQLite (some statements differ)."""
    return engine.dialect.name == "sqlite"
