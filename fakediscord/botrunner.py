"""Helpers to run an in-process discord.py client against a ``FakeDiscord``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import TypeVar

import discord
import discord.gateway
import discord.http
import yarl

from .server import FakeDiscord

ClientT = TypeVar("ClientT", bound=discord.Client)


@contextlib.contextmanager
def pointed_at(fake: FakeDiscord) -> Iterator[None]:
    """Points discord.py's REST base and default gateway at the fake, restoring them after.
    (Process-global: do not run two fakes' clients concurrently with different URLs.)"""
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake.api_base_url
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


@contextlib.asynccontextmanager
async def running(
    client: ClientT, fake: FakeDiscord, *, token: str | None = None, timeout: float = 10.0
) -> AsyncIterator[ClientT]:
    """Starts ``client`` against ``fake``, waits for ``on_ready`` and closes it afterwards.
    If start-up fails (e.g. ``LoginFailure``) the exception is raised from here."""
    with pointed_at(fake):
        task = asyncio.create_task(client.start(token or fake.token), name="fakediscord-bot")
        ready = asyncio.create_task(client.wait_until_ready())
        try:
            done, _ = await asyncio.wait({task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            if task in done:
                task.result()  # raises the start-up error
                raise RuntimeError("client stopped before becoming ready")
            if ready not in done:
                raise TimeoutError(f"client not ready within {timeout}s")
            yield client
        finally:
            ready.cancel()
            await client.close()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, timeout=5)
