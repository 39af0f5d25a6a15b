"""PostgreSQL for the tests: a fresh database per test, copied from a migrated template.

The server is the one ``ATTUNE_TEST_POSTGRESQL`` names (``scripts/pg_throwaway.sh start DIR`` starts
a throwaway one and prints its URL). Without it the PostgreSQL cases skip, unless
``ATTUNE_REQUIRE_POSTGRESQL=1`` (CI) makes that a failure.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from attune.db import Database

URL_ENV = "ATTUNE_TEST_POSTGRESQL"
REQUIRE_ENV = "ATTUNE_REQUIRE_POSTGRESQL"
BACKENDS = ("sqlite", "postgresql")


def server_url() -> str:
    """The test server's URL, or skip (fail under ``ATTUNE_REQUIRE_POSTGRESQL=1``)."""
    url = os.environ.get(URL_ENV, "").strip()
    if url:
        return url
    reason = (
        f"PostgreSQL case: set {URL_ENV}=postgresql://… (bash scripts/pg_throwaway.sh start DIR prints one)"
    )
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 but {URL_ENV} is not set")
    pytest.skip(reason)


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


class Server:
    """Creates databases on the test server: a migrated template once, then copies of it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.template = f"attune_template_{os.getpid()}"
        self._made_template = False
        self._numbers = itertools.count(1)
        self.created: list[str] = []

    async def _admin(self) -> asyncpg.Connection:
        return await asyncpg.connect(self.url)

    async def fresh(self, *, migrated: bool = True) -> str:
        """The URL of a new database: migrated (a copy of the template) or empty."""
        conn = await self._admin()
        try:
            if migrated and not self._made_template:
                await conn.execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
                await conn.execute(f'CREATE DATABASE "{self.template}"')
                db = await Database.open(with_database(self.url, self.template))
                await db.migrate()
                await db.close(announce=False)
                self._made_template = True
            name = f"attune_test_{os.getpid()}_{next(self._numbers)}"
            template = f' TEMPLATE "{self.template}"' if migrated else ""
            await conn.execute(f'CREATE DATABASE "{name}"{template}')
        finally:
            await conn.close()
        self.created.append(name)
        return with_database(self.url, name)

    async def drop(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        conn = await self._admin()
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    def drop_template(self) -> None:
        if not self._made_template:
            return

        async def drop() -> None:
            conn = await self._admin()
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
            finally:
                await conn.close()

        asyncio.run(drop())
