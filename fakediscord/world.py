"""In-memory Discord state (users, guilds, channels, messages, ...) and payload builders.

Everything is stored as Discord-shaped JSON dicts (ids as strings) keyed by integer id, so the
REST layer can return them as they are and tests can assert on what Discord would hold.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from .errors import unknown
from .ids import APPLICATION_ID, BOT_USER_ID, SnowflakeFactory, iso, snowflake_datetime

# Permission bits (https://discord.com/developers/docs/topics/permissions).
CREATE_INSTANT_INVITE = 1 << 0
ADMINISTRATOR = 1 << 3
ADD_REACTIONS = 1 << 6
STREAM = 1 << 9
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
USE_EXTERNAL_EMOJIS = 1 << 18
CONNECT = 1 << 20
SPEAK = 1 << 21
USE_VAD = 1 << 25
CHANGE_NICKNAME = 1 << 26
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_EVENTS = 1 << 33
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38
CREATE_EVENTS = 1 << 44
ALL_PERMISSIONS = (1 << 51) - 1

DEFAULT_EVERYONE_PERMISSIONS = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | STREAM
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | CONNECT
    | SPEAK
    | USE_VAD
    | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS
    | CREATE_PUBLIC_THREADS
    | CREATE_PRIVATE_THREADS
    | SEND_MESSAGES_IN_THREADS
    | CREATE_EVENTS
)
DEFAULT_BOT_PERMISSIONS = DEFAULT_EVERYONE_PERMISSIONS | MANAGE_MESSAGES | MANAGE_THREADS | MANAGE_EVENTS

CHANNEL_TYPES = {
    "text": 0,
    "dm": 1,
    "voice": 2,
    "category": 4,
    "announcement": 5,
    "news": 5,
    "announcement_thread": 10,
    "public_thread": 11,
    "private_thread": 12,
    "stage": 13,
    "forum": 15,
    "media": 16,
}
THREAD_TYPES = frozenset({10, 11, 12})
TEXT_LIKE_TYPES = frozenset({0, 1, 2, 5, 10, 11, 12, 13})

USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")

EPHEMERAL = 1 << 6
LOADING = 1 << 7
SUPPRESS_EMBEDS = 1 << 2
SUPPRESS_NOTIFICATIONS = 1 << 12
IS_COMPONENTS_V2 = 1 << 15


@dataclass
class FakeGuild:
    """A guild of the fake world. ``channels`` maps channel name to id (first one wins)."""

    id: int
    name: str
    owner_id: int
    bot_role_id: int
    joined_at: str
    channels: dict[str, int] = field(default_factory=dict)
    channel_ids: list[int] = field(default_factory=list)
    roles: dict[int, dict[str, Any]] = field(default_factory=dict)
    members: dict[int, dict[str, Any]] = field(default_factory=dict)
    locale: str = "en-US"

    @property
    def everyone_role_id(self) -> int:
        return self.id

    def channel(self, name: str) -> int:
        return self.channels[name]


class World:
    """The fake's data. Pure bookkeeping: no I/O and no gateway dispatch here."""

    def __init__(self, ids: SnowflakeFactory, *, bot_name: str = "Attune") -> None:
        self.ids = ids
        self.users: dict[int, dict[str, Any]] = {}
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, dict[str, Any]] = {}
        self.messages: dict[int, dict[str, Any]] = {}
        self.channel_messages: dict[int, list[int]] = {}
        self.deleted_messages: list[dict[str, Any]] = []
        self.dm_channels: dict[int, int] = {}
        self.dms_closed: set[int] = set()
        self.thread_members: dict[int, set[int]] = {}
        self.scheduled_events: dict[int, dict[str, Any]] = {}
        self.deleted_events: list[dict[str, Any]] = []
        self.event_users: dict[int, set[int]] = {}
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self.attachments: dict[int, bytes] = {}
        self.bot_name = bot_name
        self.users[BOT_USER_ID] = self._user_payload(BOT_USER_ID, bot_name, bot=True)
        self.app_owner_id = self.add_user("app-owner")

    # ------------------------------------------------------------------ users
    @staticmethod
    def _user_payload(user_id: int, username: str, *, bot: bool = False) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "id": str(user_id),
            "username": username,
            "discriminator": "0",
            "global_name": None if bot else username.title(),
            "avatar": None,
            "avatar_decoration_data": None,
            "banner": None,
            "accent_color": None,
            "public_flags": 0,
            "flags": 0,
            "primary_guild": None,
        }
        if bot:
            payload["bot"] = True
        return payload

    def add_user(self, username: str, *, user_id: int | None = None, bot: bool = False) -> int:
        uid = user_id if user_id is not None else self.ids.next()
        self.users[uid] = self._user_payload(uid, username, bot=bot)
        return uid

    def user(self, user_id: int) -> dict[str, Any]:
        try:
            return copy.deepcopy(self.users[int(user_id)])
        except KeyError:
            raise unknown("User") from None

    def bot_user_me(self) -> dict[str, Any]:
        me = self.user(BOT_USER_ID)
        me.update({"verified": True, "mfa_enabled": False, "email": None, "locale": "en-US", "bio": ""})
        return me

    def application(self) -> dict[str, Any]:
        return {
            "id": str(APPLICATION_ID),
            "name": self.bot_name,
            "icon": None,
            "description": "Loopback fake application",
            "summary": "",
            "type": None,
            "hook": True,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "owner": self.user(self.app_owner_id),
            "team": None,
            "flags": (1 << 19) | (1 << 23),  # gateway message content limited + app commands badge
            "rpc_origins": [],
            "tags": [],
            "interactions_endpoint_url": None,
            "role_connections_verification_url": None,
            "redirect_uris": [],
            "approximate_guild_count": len(self.guilds),
            "integration_types_config": {"0": {}, "1": {}},
            "bot": self.user(BOT_USER_ID),
        }

    # ----------------------------------------------------------------- guilds
    def guild(self, guild_id: int | str) -> FakeGuild:
        try:
            return self.guilds[int(guild_id)]
        except (KeyError, ValueError):
            raise unknown("Guild") from None

    def add_guild(
        self,
        name: str,
        *,
        owner_id: int | None = None,
        bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
        everyone_permissions: int = DEFAULT_EVERYONE_PERMISSIONS,
        locale: str = "en-US",
        shard: tuple[int, int] | None = None,
    ) -> FakeGuild:
        gid = self.ids.next(shard)
        if owner_id is None:
            owner_id = self.add_user(f"{name.lower().replace(' ', '-')}-owner")
        guild = FakeGuild(
            id=gid,
            name=name,
            owner_id=owner_id,
            bot_role_id=0,
            joined_at=iso(),
            locale=locale,
        )
        self.guilds[gid] = guild
        guild.roles[gid] = self._role_payload(gid, "@everyone", everyone_permissions, position=0)
        bot_role = self.ids.next()
        guild.roles[bot_role] = self._role_payload(
            bot_role, self.bot_name, bot_permissions, position=1, managed=True
        )
        guild.roles[bot_role]["tags"] = {"bot_id": str(BOT_USER_ID)}
        guild.bot_role_id = bot_role
        guild.members[owner_id] = self._member_payload([])
        guild.members[BOT_USER_ID] = self._member_payload([bot_role])
        return guild

    @staticmethod
    def _role_payload(
        role_id: int, name: str, permissions: int, *, position: int, managed: bool = False
    ) -> dict[str, Any]:
        return {
            "id": str(role_id),
            "name": name,
            "description": None,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": position,
            "permissions": str(permissions),
            "managed": managed,
            "mentionable": False,
            "flags": 0,
        }

    def add_role(self, guild_id: int, name: str, permissions: int = 0) -> dict[str, Any]:
        guild = self.guild(guild_id)
        rid = self.ids.next()
        role = self._role_payload(rid, name, permissions, position=len(guild.roles))
        guild.roles[rid] = role
        return role

    @staticmethod
    def _member_payload(roles: list[int], nick: str | None = None) -> dict[str, Any]:
        return {
            "roles": [str(r) for r in roles],
            "nick": nick,
            "avatar": None,
            "banner": None,
            "joined_at": iso(),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }

    def add_member(
        self, guild_id: int, user_id: int, *, roles: list[int] | None = None, nick: str | None = None
    ) -> dict[str, Any]:
        guild = self.guild(guild_id)
        if user_id not in self.users:
            raise unknown("User")
        member = self._member_payload(list(roles or []), nick)
        guild.members[user_id] = member
        return self.member(guild_id, user_id)

    def member(self, guild_id: int, user_id: int, *, with_user: bool = True) -> dict[str, Any]:
        guild = self.guild(guild_id)
        try:
            member = copy.deepcopy(guild.members[int(user_id)])
        except KeyError:
            raise unknown("Member") from None
        if with_user:
            member["user"] = self.user(int(user_id))
        return member

    def permissions(self, guild_id: int, user_id: int) -> int:
        guild = self.guild(guild_id)
        if user_id == guild.owner_id:
            return ALL_PERMISSIONS
        member = guild.members.get(user_id)
        if member is None:
            return 0
        perms = int(guild.roles[guild.id]["permissions"])
        for rid in member["roles"]:
            role = guild.roles.get(int(rid))
            if role is not None:
                perms |= int(role["permissions"])
        return ALL_PERMISSIONS if perms & ADMINISTRATOR else perms

    def guild_payload(self, guild_id: int) -> dict[str, Any]:
        guild = self.guild(guild_id)
        system_channel = next((cid for cid in guild.channel_ids if self.channels[cid]["type"] == 0), None)
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "icon_hash": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(guild.owner_id),
            "region": "deprecated",
            "afk_channel_id": None,
            "afk_timeout": 300,
            "widget_enabled": False,
            "widget_channel_id": None,
            "verification_level": 1,
            "default_message_notifications": 1,
            "explicit_content_filter": 2,
            "roles": [copy.deepcopy(r) for r in guild.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": str(system_channel) if system_channel else None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "max_presences": None,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": guild.locale,
            "nsfw_level": 0,
            "nsfw": False,
            "incidents_data": None,
            "home_header": None,
            "latest_onboarding_question_id": None,
        }

    def guild_create_payload(self, guild_id: int, *, all_members: bool) -> dict[str, Any]:
        """GUILD_CREATE as sent to a bot. Like Discord, only the bot's own member is
        included unless ``all_members`` (presence intent on a small guild)."""
        guild = self.guild(guild_id)
        payload = self.guild_payload(guild_id)
        member_ids = list(guild.members) if all_members else [BOT_USER_ID]
        channels, threads = [], []
        for cid in guild.channel_ids:
            channel = copy.deepcopy(self.channels[cid])
            channel.pop("guild_id", None)
            if channel["type"] in THREAD_TYPES:
                if not channel["thread_metadata"]["archived"]:
                    channel["guild_id"] = str(guild.id)
                    threads.append(channel)
            else:
                channels.append(channel)
        payload.update(
            {
                "joined_at": guild.joined_at,
                "large": len(guild.members) >= 250,
                "unavailable": False,
                "member_count": len(guild.members),
                "voice_states": [],
                "members": [self.member(guild_id, uid) for uid in member_ids],
                "channels": channels,
                "threads": threads,
                "presences": [],
                "stage_instances": [],
                "guild_scheduled_events": [
                    copy.deepcopy(e) for e in self.scheduled_events.values() if e["guild_id"] == str(guild.id)
                ],
                "soundboard_sounds": [],
                "lazy": True,
                "application_command_counts": {},
                "embedded_activities": [],
                "activity_instances": [],
                "version": 0,
            }
        )
        return payload

    # --------------------------------------------------------------- channels
    def channel(self, channel_id: int | str) -> dict[str, Any]:
        try:
            return self.channels[int(channel_id)]
        except (KeyError, ValueError):
            raise unknown("Channel") from None

    def add_channel(
        self,
        guild_id: int,
        name: str,
        type_: int = 0,
        *,
        parent_id: int | None = None,
        topic: str | None = None,
        position: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        guild = self.guild(guild_id)
        cid = self.ids.next()
        if position is None:
            position = sum(1 for c in guild.channel_ids if self.channels[c]["type"] not in THREAD_TYPES)
        channel: dict[str, Any] = {
            "id": str(cid),
            "type": type_,
            "guild_id": str(guild.id),
            "name": name,
            "position": position,
            "parent_id": str(parent_id) if parent_id else None,
            "permission_overwrites": [],
            "nsfw": False,
            "flags": 0,
        }
        if type_ in (0, 5, 15, 16):
            channel.update(
                {
                    "topic": topic,
                    "rate_limit_per_user": 0,
                    "last_message_id": None,
                    "default_auto_archive_duration": 1440,
                    "default_thread_rate_limit_per_user": 0,
                }
            )
        if type_ in (2, 13):
            channel.update(
                {
                    "bitrate": 64000,
                    "user_limit": 0,
                    "rtc_region": None,
                    "video_quality_mode": 1,
                    "rate_limit_per_user": 0,
                    "last_message_id": None,
                }
            )
        if type_ in (15, 16):
            channel.update(
                {
                    "available_tags": [],
                    "default_reaction_emoji": None,
                    "default_sort_order": None,
                    "default_forum_layout": 0,
                }
            )
        if extra:
            channel.update(extra)
        self.channels[cid] = channel
        self.channel_messages[cid] = []
        guild.channel_ids.append(cid)
        guild.channels.setdefault(name, cid)
        return channel

    def add_thread(
        self,
        parent_id: int,
        name: str,
        *,
        type_: int,
        owner_id: int,
        thread_id: int | None = None,
        auto_archive_duration: int = 1440,
        invitable: bool = True,
        rate_limit_per_user: int = 0,
        applied_tags: list[str] | None = None,
    ) -> dict[str, Any]:
        parent = self.channel(parent_id)
        guild = self.guild(parent["guild_id"])
        tid = thread_id if thread_id is not None else self.ids.next()
        now = iso()
        metadata: dict[str, Any] = {
            "archived": False,
            "auto_archive_duration": auto_archive_duration,
            "archive_timestamp": now,
            "locked": False,
            "create_timestamp": now,
        }
        if type_ == 12:
            metadata["invitable"] = invitable
        thread = {
            "id": str(tid),
            "type": type_,
            "guild_id": str(guild.id),
            "parent_id": str(parent_id),
            "owner_id": str(owner_id),
            "name": name,
            "last_message_id": None,
            "message_count": 0,
            "total_message_sent": 0,
            "member_count": 1,
            "rate_limit_per_user": rate_limit_per_user,
            "flags": 0,
            "applied_tags": list(applied_tags or []),
            "thread_metadata": metadata,
        }
        self.channels[tid] = thread
        self.channel_messages[tid] = []
        self.thread_members[tid] = {owner_id}
        guild.channel_ids.append(tid)
        return thread

    def thread_member_payload(self, thread_id: int, user_id: int) -> dict[str, Any]:
        return {
            "id": str(thread_id),
            "user_id": str(user_id),
            "join_timestamp": iso(),
            "flags": 1,
        }

    def dm_channel(self, user_id: int) -> dict[str, Any]:
        user = self.user(user_id)
        cid = self.dm_channels.get(int(user_id))
        if cid is None:
            cid = self.ids.next()
            self.channels[cid] = {
                "id": str(cid),
                "type": 1,
                "last_message_id": None,
                "flags": 0,
                "recipients": [user],
            }
            self.channel_messages[cid] = []
            self.dm_channels[int(user_id)] = cid
        return self.channels[cid]

    def guild_of_channel(self, channel_id: int) -> FakeGuild | None:
        gid = self.channel(channel_id).get("guild_id")
        return self.guilds.get(int(gid)) if gid else None

    # --------------------------------------------------------------- messages
    def message(self, message_id: int | str, channel_id: int | str | None = None) -> dict[str, Any]:
        try:
            msg = self.messages[int(message_id)]
        except (KeyError, ValueError):
            raise unknown("Message") from None
        if channel_id is not None and msg["channel_id"] != str(channel_id):
            raise unknown("Message")
        return msg

    def build_message(
        self,
        channel_id: int,
        author_id: int,
        body: dict[str, Any],
        *,
        message_id: int | None = None,
        type_: int = 0,
        attachments: list[dict[str, Any]] | None = None,
        webhook_id: int | None = None,
        interaction_metadata: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        channel = self.channel(channel_id)
        mid = message_id if message_id is not None else self.ids.next()
        flags = int(body.get("flags") or 0)
        msg: dict[str, Any] = {
            "id": str(mid),
            "type": type_,
            "channel_id": str(channel_id),
            "author": self.user(author_id),
            "content": body.get("content") or "",
            "timestamp": iso(snowflake_datetime(mid)),
            "edited_timestamp": None,
            "tts": bool(body.get("tts", False)),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": attachments or [],
            "embeds": normalise_embeds(body.get("embeds") or []),
            "components": number_components(body.get("components") or []),
            "pinned": False,
            "flags": flags,
        }
        if "nonce" in body and body["nonce"] is not None:
            msg["nonce"] = body["nonce"]
        if body.get("poll"):
            msg["poll"] = body["poll"]
        if webhook_id is not None:
            msg["webhook_id"] = str(webhook_id)
            msg["application_id"] = str(APPLICATION_ID)
        if interaction_metadata is not None:
            msg["interaction_metadata"] = interaction_metadata
        if channel["type"] in THREAD_TYPES:
            msg["position"] = channel["total_message_sent"]
        reference = body.get("message_reference")
        if reference and reference.get("message_id"):
            ref_channel = reference.get("channel_id") or str(channel_id)
            msg["message_reference"] = {
                "type": reference.get("type", 0),
                "message_id": str(reference["message_id"]),
                "channel_id": str(ref_channel),
            }
            if channel.get("guild_id"):
                msg["message_reference"]["guild_id"] = channel["guild_id"]
            referenced = self.messages.get(int(reference["message_id"]))
            if referenced is None and reference.get("fail_if_not_exists", True):
                raise unknown("Message")
            msg["referenced_message"] = copy.deepcopy(referenced) if referenced else None
            if msg["type"] == 0:
                msg["type"] = 19
        self.apply_mentions(msg, body.get("allowed_mentions"))
        return msg

    def apply_mentions(self, msg: dict[str, Any], allowed: dict[str, Any] | None) -> None:
        content = msg["content"]
        parse = None if allowed is None else set(allowed.get("parse") or [])
        users_allowed = {str(u) for u in (allowed or {}).get("users") or []}
        roles_allowed = {str(r) for r in (allowed or {}).get("roles") or []}
        guild = self.guild_of_channel(int(msg["channel_id"]))
        mentions = []
        for uid in dict.fromkeys(USER_MENTION.findall(content)):
            if int(uid) not in self.users:
                continue
            if parse is not None and "users" not in parse and uid not in users_allowed:
                continue
            user = self.user(int(uid))
            if guild is not None and int(uid) in guild.members:
                user["member"] = self.member(guild.id, int(uid), with_user=False)
            mentions.append(user)
        msg["mentions"] = mentions
        roles = []
        if guild is not None:
            for rid in dict.fromkeys(ROLE_MENTION.findall(content)):
                if int(rid) not in guild.roles:
                    continue
                if parse is not None and "roles" not in parse and rid not in roles_allowed:
                    continue
                roles.append(rid)
        msg["mention_roles"] = roles
        everyone = "@everyone" in content or "@here" in content
        msg["mention_everyone"] = everyone and (parse is None or "everyone" in parse)

    def store_message(self, msg: dict[str, Any]) -> None:
        mid, cid = int(msg["id"]), int(msg["channel_id"])
        self.messages[mid] = msg
        self.channel_messages.setdefault(cid, []).append(mid)
        channel = self.channels[cid]
        if not msg["flags"] & EPHEMERAL:
            channel["last_message_id"] = msg["id"]
            if channel["type"] in THREAD_TYPES:
                channel["message_count"] += 1
                channel["total_message_sent"] += 1

    def delete_message(self, message_id: int) -> dict[str, Any]:
        msg = self.messages.pop(int(message_id))
        ids = self.channel_messages.get(int(msg["channel_id"]), [])
        if int(message_id) in ids:
            ids.remove(int(message_id))
        channel = self.channels.get(int(msg["channel_id"]))
        if channel is not None and channel["type"] in THREAD_TYPES:
            channel["message_count"] = max(0, channel["message_count"] - 1)
        self.deleted_messages.append(msg)
        return msg

    def edit_message(
        self,
        msg: dict[str, Any],
        body: dict[str, Any],
        *,
        attachments: list[dict[str, Any]] | None = None,
    ) -> None:
        if "content" in body:
            msg["content"] = body["content"] or ""
        if "embeds" in body:
            msg["embeds"] = normalise_embeds(body["embeds"] or [])
        if "components" in body:
            msg["components"] = number_components(body["components"] or [])
        if "flags" in body and body["flags"] is not None:
            keep = msg["flags"] & (EPHEMERAL | IS_COMPONENTS_V2)
            msg["flags"] = keep | (int(body["flags"]) & (SUPPRESS_EMBEDS | IS_COMPONENTS_V2))
        if "attachments" in body or attachments:
            kept_ids = {str(a.get("id")) for a in body.get("attachments") or []}
            kept = [a for a in msg["attachments"] if a["id"] in kept_ids]
            msg["attachments"] = kept + list(attachments or [])
        if body.get("poll"):
            msg["poll"] = body["poll"]
        msg["flags"] &= ~LOADING
        msg["edited_timestamp"] = iso()
        if "content" in body or "allowed_mentions" in body:
            self.apply_mentions(msg, body.get("allowed_mentions"))

    def message_for_gateway(self, msg: dict[str, Any]) -> dict[str, Any]:
        """MESSAGE_CREATE/UPDATE payload: the message plus guild_id and a partial member."""
        data = copy.deepcopy(msg)
        guild = self.guild_of_channel(int(msg["channel_id"]))
        if guild is not None:
            data["guild_id"] = str(guild.id)
            author_id = int(msg["author"]["id"])
            if "webhook_id" not in msg and author_id in guild.members:
                data["member"] = self.member(guild.id, author_id, with_user=False)
        return data

    # ------------------------------------------------------------- commands
    def commands_for(self, guild_id: int | None) -> list[dict[str, Any]]:
        if guild_id is None:
            return self.global_commands
        return self.guild_commands.setdefault(int(guild_id), [])

    def find_command(self, name: str, guild_id: int | None, type_: int = 1) -> dict[str, Any] | None:
        pools = [self.guild_commands.get(int(guild_id), [])] if guild_id else []
        pools.append(self.global_commands)
        for pool in pools:
            for cmd in pool:
                if cmd["name"] == name and cmd.get("type", 1) == type_:
                    return cmd
        return None


def normalise_embeds(embeds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for embed in embeds:
        embed = copy.deepcopy(embed)
        embed.setdefault("type", "rich")
        embed.setdefault("content_scan_version", 0)
        for field_ in embed.get("fields", []):
            field_.setdefault("inline", False)
        out.append(embed)
    return out


def iter_components(components: list[dict[str, Any]]):
    """Yield every component, depth first (rows, containers, sections, accessories)."""
    for component in components:
        yield component
        yield from iter_components(component.get("components") or [])
        accessory = component.get("accessory")
        if accessory:
            yield accessory
        inner = component.get("component")
        if inner:
            yield inner


def number_components(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Discord echoes components back with a numeric ``id`` on each of them."""
    components = copy.deepcopy(components)
    used = {c["id"] for c in iter_components(components) if isinstance(c.get("id"), int)}
    next_id = 1
    for component in iter_components(components):
        if not isinstance(component.get("id"), int):
            while next_id in used:
                next_id += 1
            component["id"] = next_id
            used.add(next_id)
    return components
