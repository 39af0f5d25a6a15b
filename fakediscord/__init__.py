"""A loopback fake Discord (REST API v10 + Gateway v10) for end-to-end tests and benchmarks.

Usage::

    async with FakeDiscord(token="t") as fake:
        guild = fake.add_guild("Sangha", channels=["general", "sits"])
        discord.http.Route.BASE = fake.api_base_url
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
        ...  # run a real discord.py client with token "t"
"""

from .errors import ApiError
from .ids import APPLICATION_ID, BOT_USER_ID
from .interactions import InteractionCallback, InteractionHandle
from .limits import Fault
from .rest import RequestRecord
from .server import DispatchRecord, FakeDiscord
from .world import FakeGuild

__all__ = [
    "APPLICATION_ID",
    "BOT_USER_ID",
    "ApiError",
    "DispatchRecord",
    "FakeDiscord",
    "FakeGuild",
    "Fault",
    "InteractionCallback",
    "InteractionHandle",
    "RequestRecord",
]
