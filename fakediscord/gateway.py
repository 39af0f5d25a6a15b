"""Gateway v10 (JSON encoding, optional zlib-stream / zstd-stream transport compression)."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import secrets
import time
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .ids import APPLICATION_ID, BOT_USER_ID

if TYPE_CHECKING:
    from .server import FakeDiscord

try:  # optional, only used when a client asks for compress=zstd-stream
    import zstandard  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the environment
    zstandard = None

DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE_UPDATE, VOICE_STATE_UPDATE = 0, 1, 2, 3, 4
RESUME, RECONNECT, REQUEST_GUILD_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = (
    6,
    7,
    8,
    9,
    10,
    11,
)

GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_VOICE_STATES = 1 << 7
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
GUILD_MESSAGE_REACTIONS = 1 << 10
GUILD_MESSAGE_TYPING = 1 << 11
DIRECT_MESSAGES = 1 << 12
DIRECT_MESSAGE_REACTIONS = 1 << 13
DIRECT_MESSAGE_TYPING = 1 << 14
MESSAGE_CONTENT = 1 << 15
GUILD_SCHEDULED_EVENTS = 1 << 16
PRIVILEGED_INTENTS = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT
ALL_INTENTS = (1 << 26) - 1

#: event -> (intent needed in a guild, intent needed in a DM); None = always delivered.
EVENT_INTENTS: dict[str, tuple[int, int] | None] = {
    "GUILD_CREATE": (GUILDS, GUILDS),
    "GUILD_UPDATE": (GUILDS, GUILDS),
    "GUILD_DELETE": (GUILDS, GUILDS),
    "GUILD_ROLE_CREATE": (GUILDS, GUILDS),
    "CHANNEL_CREATE": (GUILDS, GUILDS),
    "CHANNEL_UPDATE": (GUILDS, GUILDS),
    "CHANNEL_DELETE": (GUILDS, GUILDS),
    "THREAD_CREATE": (GUILDS, GUILDS),
    "THREAD_UPDATE": (GUILDS, GUILDS),
    "THREAD_DELETE": (GUILDS, GUILDS),
    "THREAD_MEMBERS_UPDATE": (GUILDS | GUILD_MEMBERS, GUILDS),
    "GUILD_MEMBER_ADD": (GUILD_MEMBERS, GUILD_MEMBERS),
    "GUILD_MEMBER_UPDATE": (GUILD_MEMBERS, GUILD_MEMBERS),
    "GUILD_MEMBER_REMOVE": (GUILD_MEMBERS, GUILD_MEMBERS),
    "MESSAGE_CREATE": (GUILD_MESSAGES, DIRECT_MESSAGES),
    "MESSAGE_UPDATE": (GUILD_MESSAGES, DIRECT_MESSAGES),
    "MESSAGE_DELETE": (GUILD_MESSAGES, DIRECT_MESSAGES),
    "MESSAGE_REACTION_ADD": (GUILD_MESSAGE_REACTIONS, DIRECT_MESSAGE_REACTIONS),
    "MESSAGE_REACTION_REMOVE": (GUILD_MESSAGE_REACTIONS, DIRECT_MESSAGE_REACTIONS),
    "TYPING_START": (GUILD_MESSAGE_TYPING, DIRECT_MESSAGE_TYPING),
    "GUILD_SCHEDULED_EVENT_CREATE": (GUILD_SCHEDULED_EVENTS, GUILD_SCHEDULED_EVENTS),
    "GUILD_SCHEDULED_EVENT_UPDATE": (GUILD_SCHEDULED_EVENTS, GUILD_SCHEDULED_EVENTS),
    "GUILD_SCHEDULED_EVENT_DELETE": (GUILD_SCHEDULED_EVENTS, GUILD_SCHEDULED_EVENTS),
    "GUILD_SCHEDULED_EVENT_USER_ADD": (GUILD_SCHEDULED_EVENTS, GUILD_SCHEDULED_EVENTS),
    "GUILD_SCHEDULED_EVENT_USER_REMOVE": (GUILD_SCHEDULED_EVENTS, GUILD_SCHEDULED_EVENTS),
    "VOICE_STATE_UPDATE": (GUILD_VOICE_STATES, GUILD_VOICE_STATES),
    "PRESENCE_UPDATE": (GUILD_PRESENCES, GUILD_PRESENCES),
}


class _Once:
    """Runs ``callback`` the first time the frame is written to any socket."""

    __slots__ = ("callback", "done")

    def __init__(self, callback: Callable[[], None] | None) -> None:
        self.callback = callback
        self.done = callback is None

    def __call__(self) -> None:
        if not self.done and self.callback is not None:
            self.done = True
            self.callback()


_STOP = object()


@dataclass
class _CloseRequest:
    code: int
    abrupt: bool = False


class Connection:
    """One websocket. Frames are written by a single writer task, in order, because the
    zlib-stream compressor is stateful and Discord never reorders a session's frames."""

    _ids = itertools.count(1)

    def __init__(self, ws: web.WebSocketResponse, request: web.Request) -> None:
        self.id = next(self._ids)
        self.ws = ws
        self.transport = request.transport
        self.path = request.path
        self.compress = request.query.get("compress")
        self.encoding = request.query.get("encoding", "json")
        self.version = request.query.get("v")
        self.session: Session | None = None
        self.opened_at = time.perf_counter()
        self.closed_at: float | None = None
        self.close_code: int | None = None
        self.server_closed = False
        self.heartbeats = 0
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._compressor: Any = None
        if self.compress == "zlib-stream":
            self._compressor = zlib.compressobj()
        elif self.compress == "zstd-stream" and zstandard is not None:
            self._compressor = zstandard.ZstdCompressor().compressobj()
        self._writer = asyncio.create_task(self._write_loop(), name=f"fakediscord-ws-{self.id}")

    @property
    def open(self) -> bool:
        return self.closed_at is None and not self.ws.closed

    def send(self, frame: dict[str, Any], on_sent: _Once | None = None) -> None:
        if self.closed_at is None:
            self._queue.put_nowait((frame, on_sent))

    def close(self, code: int, *, abrupt: bool = False) -> None:
        self.server_closed = True
        self._queue.put_nowait(_CloseRequest(code, abrupt))

    def _encode(self, raw: str) -> bytes | str:
        if self._compressor is None:
            return raw
        if self.compress == "zlib-stream":
            return self._compressor.compress(raw.encode()) + self._compressor.flush(zlib.Z_SYNC_FLUSH)
        return self._compressor.compress(raw.encode()) + self._compressor.flush(
            zstandard.COMPRESSOBJ_FLUSH_BLOCK
        )

    async def _write_loop(self) -> None:
        while True:
            item = await self._queue.get()
            if item is _STOP:
                return
            if isinstance(item, _CloseRequest):
                if item.abrupt:
                    if self.transport is not None:
                        self.transport.abort()
                else:
                    with contextlib.suppress(Exception):
                        await self.ws.close(code=item.code, message=b"closed by fake discord")
                return
            frame, on_sent = item
            data = self._encode(json.dumps(frame, separators=(",", ":")))
            if on_sent is not None:
                on_sent()
            try:
                if isinstance(data, bytes):
                    await self.ws.send_bytes(data)
                else:
                    await self.ws.send_str(data)
            except (ConnectionError, RuntimeError):
                return

    async def stop(self) -> None:
        self._queue.put_nowait(_STOP)
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(self._writer, timeout=2)


@dataclass
class Session:
    id: str
    intents: int
    shard: tuple[int, int] | None
    seq: int = 0
    conn: Connection | None = None
    invalidated: bool = False
    buffer: deque[tuple[int, dict[str, Any], _Once | None]] = field(
        default_factory=lambda: deque(maxlen=10_000)
    )
    identify: dict[str, Any] = field(default_factory=dict)

    def handles_guild(self, guild_id: int | None) -> bool:
        if self.shard is None:
            return True
        shard_id, count = self.shard
        if guild_id is None:
            return shard_id == 0
        return (guild_id >> 22) % count == shard_id


class Gateway:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.sessions: dict[str, Session] = {}
        self.connections: list[Connection] = []
        self.identify_count = 0
        self.resume_count = 0
        self.received: list[dict[str, Any]] = []
        self.sent_ops: list[int] = []

    # ----------------------------------------------------------------- state
    @property
    def live_connections(self) -> list[Connection]:
        return [c for c in self.connections if c.open]

    def _alive_sessions(self) -> list[Session]:
        return [s for s in self.sessions.values() if not s.invalidated]

    # -------------------------------------------------------------- dispatch
    def dispatch(
        self,
        event: str,
        data: dict[str, Any],
        *,
        guild_id: int | None = None,
        on_sent: Callable[[], None] | None = None,
    ) -> int:
        """Sends a DISPATCH to every session that should get it (intents, shard).
        Disconnected sessions buffer it for RESUME. Returns the number of sessions."""
        once = _Once(on_sent)
        count = 0
        for session in self._alive_sessions():
            if not session.handles_guild(guild_id):
                continue
            intents = EVENT_INTENTS.get(event)
            if intents is not None:
                needed = intents[0] if guild_id is not None else intents[1]
                if not session.intents & needed:
                    continue
            payload = data
            if event in ("MESSAGE_CREATE", "MESSAGE_UPDATE"):
                payload = self._apply_content_intent(session, data)
            self._send_dispatch(session, event, payload, once)
            count += 1
        return count

    @staticmethod
    def _apply_content_intent(session: Session, data: dict[str, Any]) -> dict[str, Any]:
        if session.intents & MESSAGE_CONTENT or "guild_id" not in data:
            return data
        if data.get("author", {}).get("id") == str(BOT_USER_ID):
            return data
        if any(u.get("id") == str(BOT_USER_ID) for u in data.get("mentions", [])):
            return data
        stripped = copy.deepcopy(data)
        for key, empty in (("content", ""), ("embeds", []), ("attachments", [])):
            if key in stripped:
                stripped[key] = empty
        if "components" in stripped:
            stripped["components"] = []
        stripped.pop("poll", None)
        return stripped

    def _send_dispatch(
        self, session: Session, event: str, data: dict[str, Any], once: _Once | None = None
    ) -> None:
        session.seq += 1
        frame = {"op": DISPATCH, "t": event, "s": session.seq, "d": data}
        session.buffer.append((session.seq, frame, once))
        self.fake._record_dispatch(session.id, session.seq, event, data)
        if session.conn is not None:
            session.conn.send(frame, once)

    def _send_op(self, conn: Connection, op: int, data: Any) -> None:
        self.sent_ops.append(op)
        conn.send({"op": op, "d": data, "s": None, "t": None})

    # -------------------------------------------------------------- controls
    def close_sockets(self, code: int = 4000, *, abrupt: bool = False) -> int:
        conns = self.live_connections
        for conn in conns:
            conn.close(code, abrupt=abrupt)
        return len(conns)

    def send_reconnect(self) -> int:
        conns = [c for c in self.live_connections if c.session is not None]
        for conn in conns:
            self._send_op(conn, RECONNECT, None)
        return len(conns)

    def send_invalid_session(self, resumable: bool) -> int:
        conns = [c for c in self.live_connections if c.session is not None]
        for conn in conns:
            if not resumable and conn.session is not None:
                self._invalidate(conn.session)
            self._send_op(conn, INVALID_SESSION, resumable)
        return len(conns)

    def _invalidate(self, session: Session) -> None:
        session.invalidated = True
        self.sessions.pop(session.id, None)

    async def close_all(self) -> None:
        for conn in self.live_connections:
            conn.close(1001)
        for conn in list(self.connections):
            await conn.stop()

    # ------------------------------------------------------------ websocket
    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        conn = Connection(ws, request)
        self.connections.append(conn)
        self.fake._notify()
        if conn.encoding != "json":
            conn.close(4002)
        else:
            self._send_op(
                conn,
                HELLO,
                {
                    "heartbeat_interval": int(self.fake.heartbeat_interval * 1000),
                    "_trace": ['["fake-discord-gateway",{"micros":0}]'],
                },
            )
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    raw = msg.data
                elif msg.type is WSMsgType.BINARY:
                    raw = msg.data.decode("utf-8", "replace")
                else:
                    break
                try:
                    payload = json.loads(raw)
                except ValueError:
                    conn.close(4002)
                    continue
                self.received.append(payload)
                await self._on_payload(conn, payload)
        finally:
            conn.closed_at = time.perf_counter()
            conn.close_code = ws.close_code
            session = conn.session
            if session is not None and session.conn is conn:
                session.conn = None
                if not conn.server_closed and ws.close_code in (1000, 1001):
                    self._invalidate(session)
            await conn.stop()
            self.fake._notify()
        return ws

    async def _on_payload(self, conn: Connection, payload: dict[str, Any]) -> None:
        op = payload.get("op")
        data = payload.get("d")
        if op == HEARTBEAT:
            conn.heartbeats += 1
            self._send_op(conn, HEARTBEAT_ACK, None)
            return
        if op == IDENTIFY:
            self._identify(conn, data or {})
        elif op == RESUME:
            self._resume(conn, data or {})
        elif conn.session is None:
            conn.close(4003)  # Not authenticated
        elif op == REQUEST_GUILD_MEMBERS:
            self._request_members(conn.session, data or {})
        elif op in (PRESENCE_UPDATE, VOICE_STATE_UPDATE):
            pass  # recorded in ``received``
        else:
            conn.close(4001)  # Unknown opcode
        self.fake._notify()

    def _identify(self, conn: Connection, data: dict[str, Any]) -> None:
        if conn.session is not None:
            conn.close(4005)  # Already authenticated
            return
        if data.get("token") != self.fake.token:
            conn.close(4004)  # Authentication failed
            return
        intents = data.get("intents")
        if not isinstance(intents, int) or intents & ~ALL_INTENTS:
            conn.close(4013)  # Invalid intent(s)
            return
        if intents & PRIVILEGED_INTENTS & ~self.fake.allowed_privileged_intents:
            conn.close(4014)  # Disallowed intent(s)
            return
        shard = data.get("shard")
        if shard is not None:
            if len(shard) != 2 or not 0 <= shard[0] < shard[1]:
                conn.close(4010)  # Invalid shard
                return
            shard = (int(shard[0]), int(shard[1]))
        # A fresh IDENTIFY makes older, disconnected sessions of this bot irrelevant.
        for old in list(self.sessions.values()):
            if old.conn is None and (old.shard == shard):
                self._invalidate(old)
        session = Session(id=secrets.token_hex(16), intents=intents, shard=shard, identify=data)
        self.sessions[session.id] = session
        session.conn = conn
        conn.session = session
        self.identify_count += 1
        world = self.fake.world
        guild_ids = [gid for gid in world.guilds if session.handles_guild(gid)]
        ready = {
            "v": 10,
            "user": world.bot_user_me(),
            "user_settings": {},
            "session_type": "normal",
            "session_id": session.id,
            "resume_gateway_url": self.fake.resume_gateway_url,
            "relationships": [],
            "private_channels": [],
            "presences": [],
            "guilds": [{"id": str(gid), "unavailable": True} for gid in guild_ids],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["rotterdam", "madrid"],
            "auth": {},
            "application": {"id": str(APPLICATION_ID), "flags": world.application()["flags"]},
            "_trace": ['["fake-discord-gateway",{"micros":0}]'],
        }
        if shard is not None:
            ready["shard"] = list(shard)
        self._send_dispatch(session, "READY", ready)
        all_members = bool(intents & GUILD_PRESENCES)
        for gid in guild_ids:
            if intents & GUILDS:
                self._send_dispatch(
                    session,
                    "GUILD_CREATE",
                    world.guild_create_payload(gid, all_members=all_members),
                )

    def _resume(self, conn: Connection, data: dict[str, Any]) -> None:
        if data.get("token") != self.fake.token:
            conn.close(4004)
            return
        session = self.sessions.get(str(data.get("session_id")))
        seq = data.get("seq") or 0
        if session is None or session.invalidated or (session.buffer and session.buffer[0][0] > seq + 1):
            self._send_op(conn, INVALID_SESSION, False)
            return
        if session.conn is not None and session.conn is not conn:
            old = session.conn
            old.session = None
            old.close(4000)
        session.conn = conn
        conn.session = session
        self.resume_count += 1
        for frame_seq, frame, once in list(session.buffer):
            if frame_seq > seq:
                conn.send(frame, once)
        self._send_dispatch(session, "RESUMED", {"_trace": ['["fake-discord-gateway"]']})

    def _request_members(self, session: Session, data: dict[str, Any]) -> None:
        world = self.fake.world
        guild_ids = data.get("guild_id")
        if not isinstance(guild_ids, list):
            guild_ids = [guild_ids]
        for raw_gid in guild_ids:
            guild = world.guilds.get(int(raw_gid)) if str(raw_gid).isdigit() else None
            if guild is None:
                continue
            query = (data.get("query") or "").lower()
            limit = int(data.get("limit") or 0)
            wanted = {int(u) for u in data.get("user_ids") or []}
            members = []
            for uid in guild.members:
                user = world.users[uid]
                if wanted and uid not in wanted:
                    continue
                names = (user["username"], user.get("global_name") or "")
                nick = guild.members[uid].get("nick") or ""
                if query and not any(n.lower().startswith(query) for n in (*names, nick)):
                    continue
                members.append(world.member(guild.id, uid))
            if limit and not wanted:
                members = members[:limit]
            chunks = [members[i : i + 1000] for i in range(0, len(members), 1000)] or [[]]
            for index, chunk in enumerate(chunks):
                payload: dict[str, Any] = {
                    "guild_id": str(guild.id),
                    "members": chunk,
                    "chunk_index": index,
                    "chunk_count": len(chunks),
                    "not_found": [str(u) for u in wanted if u not in guild.members],
                }
                if data.get("nonce"):
                    payload["nonce"] = data["nonce"]
                if data.get("presences"):
                    payload["presences"] = []
                self._send_dispatch(session, "GUILD_MEMBERS_CHUNK", payload)
