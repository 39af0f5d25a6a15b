"""``FakeDiscord``: a loopback Discord (REST v10 + Gateway v10) for end-to-end tests."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import fnmatch
import secrets
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from aiohttp import web

from .errors import ApiError
from .gateway import ALL_INTENTS, Gateway
from .ids import APPLICATION_ID, BOT_USER_ID, SnowflakeFactory, iso
from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    INITIAL_RESPONSE_WINDOW,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    InteractionHandle,
)
from .limits import DEFAULT_ROUTE_LIMITS, Fault, Faults, RateLimiter
from .rest import API_PREFIX, RequestRecord, RestApi
from .validation import validate_message
from .world import (
    ADMINISTRATOR,
    CHANNEL_TYPES,
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    EPHEMERAL,
    THREAD_TYPES,
    FakeGuild,
    World,
    iter_components,
)

T = TypeVar("T")

OPTION_TYPES = {
    "subcommand": 1,
    "group": 2,
    "string": 3,
    "integer": 4,
    "boolean": 5,
    "user": 6,
    "channel": 7,
    "role": 8,
    "mentionable": 9,
    "number": 10,
    "attachment": 11,
}


@dataclass
class DispatchRecord:
    session_id: str
    seq: int
    event: str
    data: dict[str, Any]
    time: float


class FakeDiscord:
    """A fake Discord on 127.0.0.1 that an unmodified discord.py client can log into.

    Point discord.py at it with::

        discord.http.Route.BASE = fake.api_base_url
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    """

    def __init__(
        self,
        token: str = "fake-token",  # noqa: S107 - a fake bot token
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_name: str = "Attune",
        rate_limits: bool = False,
        global_rate_limit: int = 50,
        route_limits: dict[str, tuple[int, float]] | None = None,
        heartbeat_interval: float = 41.25,
        interaction_response_window: float | None = INITIAL_RESPONSE_WINDOW,
        nonce_window: float = 300.0,
        allowed_privileged_intents: int = ALL_INTENTS,
        rest_latency: float = 0.0,
        validate_event_times: bool = True,
        recommended_shards: int | None = None,
    ) -> None:
        self.token = token
        #: What ``GET /gateway/bot`` recommends (None: one shard per 1,000 guilds, as Discord roughly does).
        self.recommended_shards = recommended_shards
        self.host = host
        self._requested_port = port
        self.heartbeat_interval = heartbeat_interval
        self.interaction_response_window = interaction_response_window
        self.nonce_window = nonce_window
        self.allowed_privileged_intents = allowed_privileged_intents
        self.rest_latency = rest_latency
        self.validate_event_times = validate_event_times
        self.ids = SnowflakeFactory()
        self.world = World(self.ids, bot_name=bot_name)
        self.gateway = Gateway(self)
        self.rest = RestApi(self)
        self.faults = Faults()
        limits = dict(DEFAULT_ROUTE_LIMITS)
        limits.update(route_limits or {})
        self.limiter = RateLimiter(enabled=rate_limits, global_limit=global_rate_limit, route_limits=limits)
        # observability
        self.requests: list[RequestRecord] = []
        self.unknown_routes: list[tuple[str, str]] = []
        self.dispatched: list[DispatchRecord] = []
        self.interactions: list[InteractionHandle] = []
        self.interactions_by_id: dict[int, InteractionHandle] = {}
        self.interactions_by_token: dict[str, InteractionHandle] = {}
        self.modals: dict[str, InteractionHandle] = {}
        self.command_syncs: list[tuple[int | None, list[str]]] = []
        self.nonces: dict[tuple[int, str], tuple[int, float]] = {}
        self.nonce_dedupes = 0
        self.invalid_requests = 0
        self.reactions: dict[tuple[int, str], list[int]] = {}
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # ============================================================ lifecycle
    async def start(self) -> FakeDiscord:
        if self._runner is not None:
            return self
        app = web.Application(client_max_size=64 * 1024 * 1024)
        for path in ("/gateway", "/resume-gateway", "/"):
            app.router.add_get(path, self.gateway.handle)
        self.rest.install(app)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._requested_port))
        self._port = sock.getsockname()[1]
        await web.SockSite(runner, sock).start()
        self._runner = runner
        return self

    async def stop(self) -> None:
        if self._runner is None:
            return
        await self.gateway.close_all()
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ================================================================= urls
    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeDiscord is not started")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base_url(self) -> str:
        """Value for ``discord.http.Route.BASE`` (env DISCORD_API_BASE_URL)."""
        return f"{self.base_url}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """Value for ``DiscordWebSocket.DEFAULT_GATEWAY`` (env DISCORD_GATEWAY_URL)."""
        return f"ws://{self.host}:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/resume-gateway"

    @property
    def bot_user_id(self) -> int:
        return BOT_USER_ID

    @property
    def application_id(self) -> int:
        return APPLICATION_ID

    @staticmethod
    def now_iso() -> str:
        return iso()

    # ======================================================= world building
    def add_user(self, username: str, *, bot: bool = False) -> int:
        """A Discord user who is in no guild yet. Returns the user id."""
        return self.world.add_user(username, bot=bot)

    def add_guild(
        self,
        name: str = "Test Guild",
        channels: Iterable[str | dict[str, Any]] | None = None,
        *,
        owner_id: int | None = None,
        bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
        everyone_permissions: int = DEFAULT_EVERYONE_PERMISSIONS,
        locale: str = "en-US",
        shard: tuple[int, int] | None = None,
    ) -> FakeGuild:
        """Adds a guild the bot is in. ``channels`` items are a text channel name or a
        dict ``{"name", "type": "text"|"voice"|"category"|"forum"|"stage"|int,
        "parent": <category name>, "topic"}``. Default: one text channel "general".
        ``shard=(id, count)`` gives the guild an id that Discord routes to that shard.
        Returns the ``FakeGuild`` (``.id``, ``.channels`` name->id, ``.owner_id``, ...).
        If a bot is connected it receives GUILD_CREATE, as when it joins a guild."""
        guild = self.world.add_guild(
            name,
            owner_id=owner_id,
            bot_permissions=bot_permissions,
            everyone_permissions=everyone_permissions,
            locale=locale,
            shard=shard,
        )
        for spec in ["general"] if channels is None else channels:
            if isinstance(spec, str):
                spec = {"name": spec}
            ctype = spec.get("type", "text")
            ctype = CHANNEL_TYPES[ctype] if isinstance(ctype, str) else int(ctype)
            parent = spec.get("parent")
            parent_id = guild.channels[parent] if isinstance(parent, str) else parent
            self.world.add_channel(
                guild.id, spec["name"], ctype, parent_id=parent_id, topic=spec.get("topic")
            )
        if self.gateway.sessions:
            self.gateway.dispatch(
                "GUILD_CREATE",
                self.world.guild_create_payload(guild.id, all_members=False),
                guild_id=guild.id,
            )
        return guild

    def guild(self, guild_id: int) -> FakeGuild:
        return self.world.guild(guild_id)

    def add_member(
        self,
        guild_id: int,
        username: str | None = None,
        *,
        user_id: int | None = None,
        roles: Iterable[int] = (),
        nick: str | None = None,
        bot: bool = False,
    ) -> int:
        """Adds a member (a new user unless ``user_id`` is given). Returns the user id.
        Dispatches GUILD_MEMBER_ADD (GUILD_MEMBERS intent)."""
        if user_id is None:
            user_id = self.world.add_user(username or f"user{len(self.world.users)}", bot=bot)
        member = self.world.add_member(guild_id, user_id, roles=list(roles), nick=nick)
        member["guild_id"] = str(guild_id)
        self.gateway.dispatch("GUILD_MEMBER_ADD", member, guild_id=guild_id)
        return user_id

    def remove_member(self, guild_id: int, user_id: int) -> None:
        guild = self.world.guild(guild_id)
        guild.members.pop(user_id, None)
        self.gateway.dispatch(
            "GUILD_MEMBER_REMOVE",
            {"guild_id": str(guild_id), "user": self.world.user(user_id)},
            guild_id=guild_id,
        )

    def add_role(self, guild_id: int, name: str, permissions: int = 0) -> int:
        role = self.world.add_role(guild_id, name, permissions)
        self.gateway.dispatch(
            "GUILD_ROLE_CREATE",
            {"guild_id": str(guild_id), "role": copy.deepcopy(role)},
            guild_id=guild_id,
        )
        return int(role["id"])

    def _add_channel(self, guild_id: int, name: str, ctype: int, **kwargs: Any) -> int:
        channel = self.world.add_channel(guild_id, name, ctype, **kwargs)
        self.gateway.dispatch("CHANNEL_CREATE", copy.deepcopy(channel), guild_id=guild_id)
        return int(channel["id"])

    def add_text_channel(
        self,
        guild_id: int,
        name: str,
        *,
        parent_id: int | None = None,
        topic: str | None = None,
    ) -> int:
        return self._add_channel(guild_id, name, 0, parent_id=parent_id, topic=topic)

    def add_voice_channel(self, guild_id: int, name: str, *, parent_id: int | None = None) -> int:
        return self._add_channel(guild_id, name, 2, parent_id=parent_id)

    def add_stage_channel(self, guild_id: int, name: str, *, parent_id: int | None = None) -> int:
        return self._add_channel(guild_id, name, 13, parent_id=parent_id)

    def add_category(self, guild_id: int, name: str) -> int:
        return self._add_channel(guild_id, name, 4)

    def add_forum_channel(self, guild_id: int, name: str, *, parent_id: int | None = None) -> int:
        return self._add_channel(guild_id, name, 15, parent_id=parent_id)

    def set_dms_closed(self, user_id: int, closed: bool = True) -> None:
        """Messages to this user's DM channel then fail with 403 / 50007, like Discord."""
        if closed:
            self.world.dms_closed.add(user_id)
        else:
            self.world.dms_closed.discard(user_id)

    def dm_channel_id(self, user_id: int) -> int:
        return int(self.world.dm_channel(user_id)["id"])

    # ======================================================== user actions
    def send_user_message(
        self,
        channel_id: int,
        user_id: int,
        content: str = "",
        *,
        embeds: list[dict[str, Any]] | None = None,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        """A user posts a message (MESSAGE_CREATE is dispatched). Returns the message."""
        channel = self.world.channel(channel_id)
        guild = self.world.guild_of_channel(channel_id)
        if guild is not None and user_id not in guild.members:
            raise ValueError(f"user {user_id} is not a member of guild {guild.id}")
        body: dict[str, Any] = {"content": content, "embeds": embeds or []}
        if reply_to is not None:
            body["message_reference"] = {"message_id": reply_to}
        validate_message(body)
        msg = self.world.build_message(int(channel["id"]), user_id, body)
        self.world.store_message(msg)
        self.rest._dispatch_message("MESSAGE_CREATE", msg)
        self._notify()
        return msg

    def react(self, message_id: int, user_id: int, emoji: str, *, add: bool = True) -> None:
        """A user adds (or removes) a reaction; ``emoji`` is unicode or ``name:id``."""
        self._react(self.world.message(message_id), user_id, emoji, add=add)

    def add_event_user(self, event_id: int, user_id: int) -> None:
        """A user marks themselves "interested" in a scheduled event."""
        event = self.world.scheduled_events[event_id]
        users = self.world.event_users.setdefault(event_id, set())
        if user_id in users:
            return
        users.add(user_id)
        event["user_count"] = len(users)
        self.gateway.dispatch(
            "GUILD_SCHEDULED_EVENT_USER_ADD",
            {
                "guild_scheduled_event_id": str(event_id),
                "user_id": str(user_id),
                "guild_id": event["guild_id"],
            },
            guild_id=int(event["guild_id"]),
        )
        self._notify()

    def _react(self, msg: dict[str, Any], user_id: int, emoji: str, *, add: bool) -> None:
        parts = emoji.split(":")
        if len(parts) >= 2 and parts[-1].isdigit():
            emoji_payload: dict[str, Any] = {"id": parts[-1], "name": parts[-2]}
            if parts[0] == "a" and len(parts) == 3:
                emoji_payload["animated"] = True
            key = parts[-1]
        else:
            emoji_payload = {"id": None, "name": emoji}
            key = emoji
        reactors = self.reactions.setdefault((int(msg["id"]), key), [])
        if add == (user_id in reactors):
            return
        if add:
            reactors.append(user_id)
        else:
            reactors.remove(user_id)
        reactions = msg.setdefault("reactions", [])
        entry = next((r for r in reactions if (r["emoji"]["id"] or r["emoji"]["name"]) == key), None)
        if entry is None:
            entry = {
                "count": 0,
                "count_details": {"burst": 0, "normal": 0},
                "me": False,
                "me_burst": False,
                "burst_me": False,
                "burst_colors": [],
                "emoji": emoji_payload,
            }
            reactions.append(entry)
        entry["count"] = len(reactors)
        entry["count_details"]["normal"] = len(reactors)
        entry["me"] = BOT_USER_ID in reactors
        if not reactors:
            reactions.remove(entry)
        if not reactions:
            msg.pop("reactions")
        guild = self.world.guild_of_channel(int(msg["channel_id"]))
        data: dict[str, Any] = {
            "user_id": str(user_id),
            "channel_id": msg["channel_id"],
            "message_id": msg["id"],
            "emoji": emoji_payload,
            "burst": False,
            "type": 0,
        }
        if guild is not None:
            data["guild_id"] = str(guild.id)
        if add:
            data["message_author_id"] = msg["author"]["id"]
            data["burst_colors"] = []
            if guild is not None and user_id in guild.members:
                data["member"] = self.world.member(guild.id, user_id)
        self.gateway.dispatch(
            "MESSAGE_REACTION_ADD" if add else "MESSAGE_REACTION_REMOVE",
            data,
            guild_id=guild.id if guild else None,
        )

    def _set_member_role(self, guild_id: int, user_id: int, role_id: int, *, add: bool) -> None:
        member = self.world.guild(guild_id).members[user_id]
        roles = member["roles"]
        if add and str(role_id) not in roles:
            roles.append(str(role_id))
        elif not add and str(role_id) in roles:
            roles.remove(str(role_id))
        data = self.world.member(guild_id, user_id)
        data["guild_id"] = str(guild_id)
        self.gateway.dispatch("GUILD_MEMBER_UPDATE", data, guild_id=guild_id)

    # ========================================================= interactions
    async def invoke_slash(
        self,
        guild_id: int | None,
        channel_id: int | None,
        user_id: int,
        name: str,
        options: dict[str, Any] | list[dict[str, Any]] | None = None,
        *,
        locale: str = "en-US",
        require_registered: bool = False,
    ) -> InteractionHandle:
        """A user runs ``/name`` (``"group sub"`` / ``"cmd sub"`` for subcommands).

        ``options`` maps option name to value (users/channels/roles as ids; option types
        come from the registered command, else are inferred from the Python values) or is
        a raw list of option dicts. ``guild_id=None`` means a DM with the bot.
        Returns an ``InteractionHandle`` once INTERACTION_CREATE is queued."""
        parts = name.split()
        if not parts:
            raise ValueError("empty command name")
        cmd = self.world.find_command(parts[0], guild_id, 1)
        if cmd is None and require_registered:
            raise LookupError(f"/{parts[0]} is not registered (did the bot sync?)")
        self._check_command_access(cmd, guild_id, user_id)
        resolved: dict[str, Any] = {}
        schema = cmd.get("options") if cmd else None
        wrappers: list[tuple[int, str]] = []
        for i, part in enumerate(parts[1:]):
            if schema is not None:
                sub = next((o for o in schema if o["name"] == part and o["type"] in (1, 2)), None)
                if sub is None:
                    raise ValueError(f"/{name}: unknown subcommand {part!r}")
                wrappers.append((sub["type"], part))
                schema = sub.get("options") or []
            else:
                wrappers.append((2 if i < len(parts) - 2 else 1, part))
        if wrappers and wrappers[-1][0] != 1:
            raise ValueError(f"/{name}: a subcommand group needs a subcommand")
        if schema and any(o["type"] in (1, 2) for o in schema):
            raise ValueError(f"/{name}: this command needs a subcommand")
        opts = self._build_options(guild_id, schema, options, resolved)
        for otype, part in reversed(wrappers):
            opts = [{"type": otype, "name": part, "options": opts}]
        data: dict[str, Any] = {
            "id": cmd["id"] if cmd else str(self.ids.next()),
            "name": parts[0],
            "type": 1,
        }
        if cmd and "guild_id" in cmd:
            data["guild_id"] = cmd["guild_id"]
        if opts:
            data["options"] = opts
        if resolved:
            data["resolved"] = resolved
        return self._dispatch_interaction(
            APPLICATION_COMMAND, guild_id, channel_id, user_id, data, locale=locale
        )

    async def autocomplete(
        self,
        guild_id: int | None,
        channel_id: int | None,
        user_id: int,
        name: str,
        options: dict[str, Any],
        focused: str,
    ) -> InteractionHandle:
        """A user types into option ``focused``; the bot should answer with choices
        (``handle.autocomplete_choices``)."""
        parts = name.split()
        cmd = self.world.find_command(parts[0], guild_id, 1)
        schema = cmd.get("options") if cmd else None
        wrappers: list[tuple[int, str]] = []
        for i, part in enumerate(parts[1:]):
            if schema is not None:
                sub = next((o for o in schema if o["name"] == part), None)
                if sub is None:
                    raise ValueError(f"/{name}: unknown subcommand {part!r}")
                wrappers.append((sub["type"], part))
                schema = sub.get("options") or []
            else:
                wrappers.append((2 if i < len(parts) - 2 else 1, part))
        opts = self._build_options(guild_id, schema, options, {}, focused=focused)
        for otype, part in reversed(wrappers):
            opts = [{"type": otype, "name": part, "options": opts}]
        data: dict[str, Any] = {
            "id": cmd["id"] if cmd else str(self.ids.next()),
            "name": parts[0],
            "type": 1,
            "options": opts,
        }
        if cmd and "guild_id" in cmd:
            data["guild_id"] = cmd["guild_id"]
        return self._dispatch_interaction(AUTOCOMPLETE, guild_id, channel_id, user_id, data)

    async def invoke_user_command(
        self, guild_id: int | None, channel_id: int | None, user_id: int, name: str, target: int
    ) -> InteractionHandle:
        """Right-click → Apps → ``name`` on user ``target``."""
        cmd = self.world.find_command(name, guild_id, 2)
        self._check_command_access(cmd, guild_id, user_id)
        resolved: dict[str, Any] = {}
        self._resolve(guild_id, 6, target, resolved)
        data = {
            "id": cmd["id"] if cmd else str(self.ids.next()),
            "name": name,
            "type": 2,
            "target_id": str(target),
            "resolved": resolved,
        }
        if cmd and "guild_id" in cmd:
            data["guild_id"] = cmd["guild_id"]
        return self._dispatch_interaction(APPLICATION_COMMAND, guild_id, channel_id, user_id, data)

    async def invoke_message_command(self, user_id: int, name: str, message_id: int) -> InteractionHandle:
        """Right-click → Apps → ``name`` on a message."""
        msg = self.world.message(message_id)
        guild = self.world.guild_of_channel(int(msg["channel_id"]))
        guild_id = guild.id if guild else None
        cmd = self.world.find_command(name, guild_id, 3)
        self._check_command_access(cmd, guild_id, user_id)
        data = {
            "id": cmd["id"] if cmd else str(self.ids.next()),
            "name": name,
            "type": 3,
            "target_id": msg["id"],
            "resolved": {"messages": {msg["id"]: copy.deepcopy(msg)}},
        }
        if cmd and "guild_id" in cmd:
            data["guild_id"] = cmd["guild_id"]
        return self._dispatch_interaction(
            APPLICATION_COMMAND, guild_id, int(msg["channel_id"]), user_id, data
        )

    async def click_button(self, message_id: int, custom_id: str, user_id: int) -> InteractionHandle:
        """A user clicks the button ``custom_id`` on a message the bot sent."""
        msg, component = self._find_component(message_id, custom_id)
        if component["type"] != 2:
            raise ValueError(f"{custom_id!r} is not a button (type {component['type']})")
        data = {"custom_id": custom_id, "component_type": 2}
        if isinstance(component.get("id"), int):
            data["id"] = component["id"]
        return self._component_interaction(msg, user_id, data)

    async def select(
        self, message_id: int, custom_id: str, values: list[Any], user_id: int
    ) -> InteractionHandle:
        """A user picks ``values`` in a select menu (ids for user/role/channel selects)."""
        msg, component = self._find_component(message_id, custom_id)
        ctype = component["type"]
        if ctype not in (3, 5, 6, 7, 8):
            raise ValueError(f"{custom_id!r} is not a select menu (type {ctype})")
        low, high = component.get("min_values", 1), component.get("max_values", 1)
        if not low <= len(values) <= high:
            raise ValueError(f"select {custom_id!r} takes {low}..{high} values")
        data: dict[str, Any] = {
            "custom_id": custom_id,
            "component_type": ctype,
            "values": [str(v) for v in values],
        }
        if ctype == 3:
            allowed = {o["value"] for o in component.get("options") or []}
            if not set(data["values"]) <= allowed:
                raise ValueError(f"select {custom_id!r}: values must be among {sorted(allowed)}")
        else:
            guild = self.world.guild_of_channel(int(msg["channel_id"]))
            resolved: dict[str, Any] = {}
            kind = {5: 6, 6: 8, 7: 9, 8: 7}[ctype]
            for value in values:
                self._resolve(guild.id if guild else None, kind, value, resolved)
            data["resolved"] = resolved
        if isinstance(component.get("id"), int):
            data["id"] = component["id"]
        return self._component_interaction(msg, user_id, data)

    async def submit_modal(
        self,
        custom_id: str,
        values: dict[str, Any],
        user_id: int | None = None,
        *,
        guild_id: int | None = None,
        channel_id: int | None = None,
    ) -> InteractionHandle:
        """A user submits the modal ``custom_id``. ``values`` maps each input's custom_id
        to its text (or a list for selects inside the modal). When the bot showed that
        modal through the fake, the user, channel and originating message default to
        that interaction's, and the submitted structure mirrors the modal's."""
        source = self.modals.get(custom_id)
        if source is not None:
            user_id = user_id or source.user_id
            guild_id = guild_id or source.guild_id
            channel_id = channel_id or source.channel_id
        if user_id is None or channel_id is None:
            raise ValueError("submit_modal needs user_id and channel_id for an unknown modal")
        remaining = dict(values)
        if source is not None and source.modal is not None:
            components = self._fill_modal(source.modal.get("components") or [], remaining)
            if remaining:
                raise ValueError(f"modal {custom_id!r} has no inputs {sorted(remaining)}")
        else:
            components = [
                {"type": 1, "components": [{"type": 4, "custom_id": k, "value": str(v)}]}
                for k, v in values.items()
            ]
        data = {"custom_id": custom_id, "components": components}
        message = None
        if source is not None and source.message is not None:
            message = self.world.messages.get(int(source.message["id"]))
        return self._dispatch_interaction(MODAL_SUBMIT, guild_id, channel_id, user_id, data, message=message)

    def _fill_modal(self, components: list[dict[str, Any]], values: dict[str, Any]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for comp in components:
            ctype = comp.get("type")
            cid = comp.get("custom_id")
            if ctype == 1:
                out.append({"type": 1, "components": self._fill_modal(comp["components"], values)})
            elif ctype == 18:
                inner = self._fill_modal([comp["component"]], values)
                if inner:
                    out.append({"type": 18, "id": comp.get("id"), "component": inner[0]})
            elif ctype == 4:
                value = str(values.pop(cid, comp.get("value") or ""))
                if comp.get("required", True) and not value:
                    raise ValueError(f"modal input {cid!r} is required")
                low, high = comp.get("min_length", 0), comp.get("max_length", 4000)
                if value and not low <= len(value) <= high:
                    raise ValueError(f"modal input {cid!r} must be {low}..{high} characters")
                out.append({"type": 4, "id": comp.get("id"), "custom_id": cid, "value": value})
            elif ctype in (3, 5, 6, 7, 8):
                chosen = values.pop(cid, [])
                chosen = [str(v) for v in (chosen if isinstance(chosen, list) else [chosen])]
                out.append({"type": ctype, "id": comp.get("id"), "custom_id": cid, "values": chosen})
        return out

    def _find_component(self, message_id: int, custom_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        msg = self.world.message(message_id)
        for component in iter_components(msg.get("components") or []):
            if component.get("custom_id") == custom_id:
                if component.get("disabled"):
                    raise ValueError(f"component {custom_id!r} is disabled")
                return msg, component
        raise ValueError(f"message {message_id} has no component with custom_id {custom_id!r}")

    def _component_interaction(
        self, msg: dict[str, Any], user_id: int, data: dict[str, Any]
    ) -> InteractionHandle:
        guild = self.world.guild_of_channel(int(msg["channel_id"]))
        return self._dispatch_interaction(
            MESSAGE_COMPONENT,
            guild.id if guild else None,
            int(msg["channel_id"]),
            user_id,
            data,
            message=msg,
        )

    def _check_command_access(self, cmd: dict[str, Any] | None, guild_id: int | None, user_id: int) -> None:
        if cmd is None:
            return
        contexts = cmd.get("contexts")
        context = 0 if guild_id is not None else 1
        if contexts is not None and context not in contexts:
            raise PermissionError(f"/{cmd['name']} is not available in this context")
        if guild_id is None and cmd.get("dm_permission") is False and contexts is None:
            raise PermissionError(f"/{cmd['name']} is not available in DMs")
        needed = cmd.get("default_member_permissions")
        if guild_id is not None and needed is not None:
            perms = self.world.permissions(guild_id, user_id)
            if not perms & ADMINISTRATOR and (perms & int(needed)) != int(needed):
                raise PermissionError(f"user {user_id} cannot see /{cmd['name']}")

    def _build_options(
        self,
        guild_id: int | None,
        schema: list[dict[str, Any]] | None,
        values: dict[str, Any] | list[dict[str, Any]] | None,
        resolved: dict[str, Any],
        *,
        focused: str | None = None,
    ) -> list[dict[str, Any]]:
        if values is None:
            values = {}
        if isinstance(values, list):
            return copy.deepcopy(values)
        specs = {o["name"]: o for o in schema} if schema is not None else None
        out = []
        for name, value in values.items():
            if specs is not None:
                if name not in specs:
                    raise ValueError(f"unknown option {name!r}; known: {sorted(specs)}")
                otype = specs[name]["type"]
                choices = specs[name].get("choices")
                if choices and name != focused and value not in [c["value"] for c in choices]:
                    raise ValueError(f"option {name!r}: {value!r} is not one of the choices")
            elif isinstance(value, bool):
                otype = 5
            elif isinstance(value, int):
                otype = 4
            elif isinstance(value, float):
                otype = 10
            else:
                otype = 3
            option: dict[str, Any] = {"name": name, "type": otype}
            if name == focused:
                option["value"] = str(value)
                option["focused"] = True
            else:
                option["value"] = self._resolve(guild_id, otype, value, resolved)
            out.append(option)
        if specs is not None and focused is None:
            missing = [n for n, o in specs.items() if o.get("required") and n not in values]
            if missing:
                raise ValueError(f"missing required options {missing}")
        return out

    def _resolve(self, guild_id: int | None, otype: int, value: Any, resolved: dict[str, Any]) -> Any:
        world = self.world
        if otype == 3:
            return str(value)
        if otype == 4:
            return int(value)
        if otype == 10:
            return float(value)
        if otype == 5:
            return bool(value)
        if otype == 9:
            guild = world.guilds.get(guild_id) if guild_id else None
            otype = 8 if guild is not None and int(value) in guild.roles else 6
        if otype == 6:
            uid = int(value)
            resolved.setdefault("users", {})[str(uid)] = world.user(uid)
            if guild_id is not None and uid in world.guild(guild_id).members:
                member = world.member(guild_id, uid, with_user=False)
                member["permissions"] = str(world.permissions(guild_id, uid))
                resolved.setdefault("members", {})[str(uid)] = member
            return str(uid)
        if otype == 7:
            channel = copy.deepcopy(world.channel(int(value)))
            if guild_id is not None:
                channel["permissions"] = str(world.permissions(guild_id, BOT_USER_ID))
            resolved.setdefault("channels", {})[channel["id"]] = channel
            return channel["id"]
        if otype == 8:
            if guild_id is None:
                raise ValueError("role options need a guild")
            role = world.guild(guild_id).roles[int(value)]
            resolved.setdefault("roles", {})[role["id"]] = copy.deepcopy(role)
            return role["id"]
        if otype == 11:
            if not isinstance(value, dict):
                raise ValueError("attachment options take {'filename': ..., 'data': bytes}")
            aid = self.ids.next()
            data = value.get("data", b"")
            world.attachments[aid] = data
            url = f"{self.base_url}/attachments/0/{aid}/{value['filename']}"
            resolved.setdefault("attachments", {})[str(aid)] = {
                "id": str(aid),
                "filename": value["filename"],
                "size": len(data),
                "url": url,
                "proxy_url": url,
                "content_type": value.get("content_type", "application/octet-stream"),
                "ephemeral": True,
            }
            return str(aid)
        return value

    def _dispatch_interaction(
        self,
        itype: int,
        guild_id: int | None,
        channel_id: int | None,
        user_id: int,
        data: dict[str, Any],
        *,
        message: dict[str, Any] | None = None,
        locale: str = "en-US",
    ) -> InteractionHandle:
        world = self.world
        if user_id == BOT_USER_ID:
            raise ValueError("the bot cannot invoke interactions on itself")
        payload: dict[str, Any] = {
            "id": str(self.ids.next()),
            "application_id": str(APPLICATION_ID),
            "type": itype,
            "data": data,
            "token": "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48),
            "version": 1,
            "locale": locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if guild_id is not None:
            guild = world.guild(guild_id)
            if user_id not in guild.members:
                raise ValueError(f"user {user_id} is not a member of guild {guild_id}")
            if channel_id is None:
                raise ValueError("a guild interaction needs a channel_id")
            channel = copy.deepcopy(world.channel(channel_id))
            if channel.get("guild_id") != str(guild_id):
                raise ValueError(f"channel {channel_id} is not in guild {guild_id}")
            channel["permissions"] = str(world.permissions(guild_id, user_id))
            member = world.member(guild_id, user_id)
            member["permissions"] = str(world.permissions(guild_id, user_id))
            payload.update(
                {
                    "guild_id": str(guild_id),
                    "guild": {"id": str(guild_id), "locale": guild.locale, "features": []},
                    "guild_locale": guild.locale,
                    "member": member,
                    "app_permissions": str(world.permissions(guild_id, BOT_USER_ID)),
                    "authorizing_integration_owners": {"0": str(guild_id)},
                    "context": 0,
                }
            )
        else:
            if channel_id is None:
                channel = copy.deepcopy(world.dm_channel(user_id))
            else:
                channel = copy.deepcopy(world.channel(channel_id))
                if channel["type"] != 1:
                    raise ValueError("without guild_id the channel must be a DM channel")
            payload.update(
                {
                    "user": world.user(user_id),
                    "app_permissions": str(DEFAULT_EVERYONE_PERMISSIONS),
                    "authorizing_integration_owners": {"0": "0"},
                    "context": 1,
                }
            )
        payload["channel_id"] = channel["id"]
        payload["channel"] = channel
        if message is not None:
            payload["message"] = copy.deepcopy(message)
        handle = InteractionHandle(self, payload)
        self.interactions.append(handle)
        self.interactions_by_id[handle.id] = handle
        self.interactions_by_token[handle.token] = handle

        def sent() -> None:
            handle.dispatched_at = time.perf_counter()
            self._notify()

        delivered = self.gateway.dispatch("INTERACTION_CREATE", payload, guild_id=guild_id, on_sent=sent)
        if not delivered:
            raise RuntimeError("no bot gateway session to deliver the interaction to")
        self._notify()
        return handle

    # ===================================================== gateway controls
    async def close_socket(self, code: int = 4000, *, abrupt: bool = False) -> int:
        """Closes every bot websocket with ``code`` (``abrupt=True``: drop the TCP
        connection without a close frame). The session stays resumable unless the
        code makes discord.py give up. Returns how many sockets were closed."""
        count = self.gateway.close_sockets(code, abrupt=abrupt)
        await asyncio.sleep(0)
        return count

    async def send_reconnect(self) -> int:
        """Sends op 7 RECONNECT; discord.py closes and RESUMEs."""
        count = self.gateway.send_reconnect()
        await asyncio.sleep(0)
        return count

    async def send_invalid_session(self, resumable: bool) -> int:
        """Sends op 9. ``resumable=False`` forgets the session, so the bot re-IDENTIFYs
        (discord.py first sleeps 5 s in ``Client.before_identify_hook``)."""
        count = self.gateway.send_invalid_session(resumable)
        await asyncio.sleep(0)
        return count

    def dispatch(self, event: str, data: dict[str, Any], *, guild_id: int | None = None) -> int:
        """Sends any raw DISPATCH event to the bot."""
        return self.gateway.dispatch(event, data, guild_id=guild_id)

    @property
    def identify_count(self) -> int:
        return self.gateway.identify_count

    @property
    def resume_count(self) -> int:
        return self.gateway.resume_count

    @property
    def connected(self) -> bool:
        return any(s.conn is not None and s.conn.open for s in self.gateway.sessions.values())

    # =============================================================== faults
    def inject(
        self,
        method: str,
        path_glob: str,
        status: int | None = 500,
        *,
        times: int | None = 1,
        retry_after: float = 0.05,
        is_global: bool = False,
        body: dict[str, Any] | None = None,
        delay: float = 0.0,
        when: Callable[[Any], bool] | None = None,
    ) -> Fault:
        """Answers the next ``times`` requests matching ``method`` ("*" for any) and
        ``path_glob`` (fnmatch on the path below /api/v10, e.g. "/channels/*/messages")
        with ``status`` (429s carry ``retry_after`` and the headers discord.py needs).
        ``status=None`` with ``delay`` only slows them down. Returns the ``Fault``
        (``.hits`` counts uses). ``when`` narrows it to requests whose JSON body it accepts."""
        return self.faults.add(
            Fault(
                method=method,
                path_glob=path_glob,
                status=status,
                times=times,
                retry_after=retry_after,
                body=body,
                delay=delay,
                is_global=is_global,
                when=when,
            )
        )

    def lose_response_once(
        self, method: str, path_glob: str, *, when: Callable[[Any], bool] | None = None
    ) -> Fault:
        """Performs the next matching request but drops the connection instead of
        answering (the client sees ``aiohttp.ServerDisconnectedError``)."""
        return self.faults.add(
            Fault(method=method, path_glob=path_glob, status=None, times=1, lose_response=True, when=when)
        )

    def clear_faults(self) -> None:
        self.faults.clear()

    @property
    def rate_limited_count(self) -> int:
        """429s produced by the rate limiter (not by ``inject``)."""
        return self.limiter.limited

    # ========================================================= observation
    def requests_to(self, method: str, path_glob: str) -> list[RequestRecord]:
        return [
            r
            for r in self.requests
            if (method == "*" or r.method == method.upper()) and fnmatch.fnmatchcase(r.path, path_glob)
        ]

    def messages(self, channel_id: int, *, include_ephemeral: bool = True) -> list[dict[str, Any]]:
        """Messages currently in a channel, oldest first (ephemeral ones flagged 64)."""
        out = []
        for mid in self.world.channel_messages.get(int(channel_id), []):
            msg = self.world.messages[mid]
            if include_ephemeral or not msg["flags"] & EPHEMERAL:
                out.append(msg)
        return out

    def message(self, message_id: int) -> dict[str, Any]:
        return self.world.message(message_id)

    def channel(self, channel_id: int) -> dict[str, Any]:
        return self.world.channel(channel_id)

    @property
    def threads(self) -> list[dict[str, Any]]:
        return [c for c in self.world.channels.values() if c["type"] in THREAD_TYPES]

    @property
    def events(self) -> list[dict[str, Any]]:
        """Guild scheduled events that currently exist."""
        return list(self.world.scheduled_events.values())

    @property
    def global_commands(self) -> list[dict[str, Any]]:
        return self.world.global_commands

    def guild_commands(self, guild_id: int) -> list[dict[str, Any]]:
        return self.world.guild_commands.get(int(guild_id), [])

    def clear_records(self) -> None:
        """Forgets recorded requests, dispatches and unknown routes (long benchmarks).
        World state (messages, threads, events, commands) is kept."""
        self.requests.clear()
        self.dispatched.clear()
        self.unknown_routes.clear()
        self.gateway.received.clear()

    def dispatched_events(self, event: str) -> list[DispatchRecord]:
        return [d for d in self.dispatched if d.event == event]

    # ============================================================== waiting
    async def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
        """Waits until ``predicate()`` (re-evaluated whenever the fake's state changes)
        returns something truthy, and returns it. Raises ``TimeoutError``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = ", ".join(repr(r) for r in self.requests[-6:])
                raise TimeoutError(
                    f"condition not met within {timeout}s (recent requests: {recent}; "
                    f"unknown routes: {self.unknown_routes[-5:]})"
                )
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), timeout=min(remaining, 0.25))

    async def wait_for_request(
        self, method: str, path_glob: str, *, count: int = 1, timeout: float = 5.0
    ) -> RequestRecord:
        """The ``count``-th finished request matching method/path."""

        def check() -> RequestRecord | None:
            done = [r for r in self.requests_to(method, path_glob) if r.status]
            return done[count - 1] if len(done) >= count else None

        return await self.wait_for(check, timeout)

    async def wait_for_message(
        self,
        channel_id: int,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 5.0,
    ) -> dict[str, Any]:
        def check() -> dict[str, Any] | None:
            for msg in self.messages(channel_id):
                if predicate is None or predicate(msg):
                    return msg
            return None

        return await self.wait_for(check, timeout)

    async def wait_for_dispatch(
        self,
        event: str,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 5.0,
    ) -> DispatchRecord:
        def check() -> DispatchRecord | None:
            for record in self.dispatched:
                if record.event == event and (predicate is None or predicate(record.data)):
                    return record
            return None

        return await self.wait_for(check, timeout)

    async def wait_connected(self, timeout: float = 5.0) -> None:
        await self.wait_for(lambda: self.connected, timeout)

    # ============================================================ internals
    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def _record_dispatch(self, session_id: str, seq: int, event: str, data: dict[str, Any]) -> None:
        self.dispatched.append(DispatchRecord(session_id, seq, event, data, time.perf_counter()))
        self._notify()


__all__ = ["ApiError", "DispatchRecord", "FakeDiscord"]
