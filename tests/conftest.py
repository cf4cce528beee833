"""Shared fixtures: a real, migrated database (SQLite, and PostgreSQL when configured) per test."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

import models
from bot.db import SessionFactory, make_engine, make_session_factory, upgrade_to_head

POSTGRES_URL = os.environ.get("SAMVAD_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]


@dataclass
class Database:
    """A migrated test database: its URL, engine and session factory."""

    backend: str
    url: str
    engine: AsyncEngine
    sessions: SessionFactory

    async def clear(self) -> None:
        """Empty every table so each test starts from nothing."""
        tables = [t.name for t in reversed(models.Base.metadata.sorted_tables)]
        async with self.engine.begin() as conn:
            if self.backend == "postgresql":
                await conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    await conn.execute(text(f"DELETE FROM {table}"))


async def _create_postgres_database(base_url: str) -> tuple[str, str]:
    name = f"samvad_test_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(base_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return name, make_url(base_url).set(database=name).render_as_string(hide_password=False)


async def _drop_postgres_database(base_url: str, name: str) -> None:
    admin = create_async_engine(base_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


@pytest.fixture(scope="session")
def sqlite_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A directory for the session's SQLite files."""
    yield tmp_path_factory.mktemp("sqlite")


@pytest.fixture(scope="session", params=BACKENDS)
async def database(request: pytest.FixtureRequest, sqlite_dir: Path) -> AsyncIterator[Database]:
    """One migrated database per backend for the whole session (schema from `alembic upgrade head`)."""
    backend = request.param
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{sqlite_dir / 'samvad.db'}"
        await asyncio.to_thread(upgrade_to_head, url)
        engine = make_engine(url)
        yield Database(backend, url, engine, make_session_factory(engine))
        await engine.dispose()
    else:
        assert POSTGRES_URL
        name, url = await _create_postgres_database(POSTGRES_URL)
        await asyncio.to_thread(upgrade_to_head, url)
        engine = make_engine(url)
        yield Database(backend, url, engine, make_session_factory(engine))
        await engine.dispose()
        await _drop_postgres_database(POSTGRES_URL, name)


@pytest.fixture
async def db(database: Database) -> AsyncIterator[Database]:
    """The session's database, emptied before the test."""
    await database.clear()
    yield database


@pytest.fixture
async def session(db: Database) -> AsyncIterator[AsyncSession]:
    """A session on the emptied database; the test commits what it wants to keep."""
    async with db.sessions() as session:
        yield session
