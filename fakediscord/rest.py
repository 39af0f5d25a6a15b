"""REST API v10 routes of the fake."""

from __future__ import annotations

import asyncio
import copy
import json
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aiohttp import web

from .errors import ApiError, FormErrors, unknown
from .ids import APPLICATION_ID, BOT_USER_ID
from .interactions import (
    APPLICATION_COMMAND,
    APPLICATION_COMMAND_AUTOCOMPLETE_RESULT,
    AUTOCOMPLETE,
    CHANNEL_MESSAGE_WITH_SOURCE,
    DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE,
    DEFERRED_UPDATE_MESSAGE,
    MESSAGE_COMPONENT,
    MODAL,
    MODAL_SUBMIT,
    PING,
    PONG,
    TOKEN_LIFETIME,
    UPDATE_MESSAGE,
    InteractionCallback,
    InteractionHandle,
)
from .validation import (
    EVENT_TRANSITIONS,
    validate_commands,
    validate_message,
    validate_scheduled_event,
)
from .world import (
    EPHEMERAL,
    IS_COMPONENTS_V2,
    LOADING,
    SUPPRESS_EMBEDS,
    SUPPRESS_NOTIFICATIONS,
    TEXT_LIKE_TYPES,
    THREAD_TYPES,
)

if TYPE_CHECKING:
    from .server import FakeDiscord

API_PREFIX = "/api/v10"
MESSAGE_FLAGS_ALLOWED = EPHEMERAL | SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | IS_COMPONENTS_V2


@dataclass
class UploadedFile:
    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class RequestRecord:
    """One REST request as the fake saw it. ``path`` is relative to ``/api/v10``."""

    method: str
    path: str
    route: str | None
    query: dict[str, str]
    json: Any
    files: list[str]
    time: float
    status: int = 0
    duration: float = 0.0
    response: Any = None
    fault: str | None = None

    def __repr__(self) -> str:
        return f"<{self.method} {self.path} -> {self.status}>"


@dataclass
class Reply:
    data: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[web.Request, Any, list[UploadedFile]], Awaitable[Any]]


def json_response(data: Any, status: int = 200) -> web.Response:
    """Discord's exact ``Content-Type: application/json`` (no charset): discord.py's
    ``json_or_text`` compares the header verbatim and would otherwise return a str."""
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json"},
    )


async def read_body(request: web.Request) -> tuple[Any, list[UploadedFile]]:
    if request.content_type.startswith("multipart/"):
        form = await request.post()
        payload: Any = {}
        files = []
        for key, value in form.items():
            if key == "payload_json":
                payload = json.loads(value if isinstance(value, str) else value.file.read())
            elif isinstance(value, web.FileField):
                files.append(UploadedFile(key, value.filename, value.content_type, value.file.read()))
        return payload, files
    raw = await request.read()
    if not raw:
        return None, []
    return json.loads(raw), []


class RestApi:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.world = fake.world

    # ================================================================ plumbing
    def install(self, app: web.Application) -> None:
        r = self._route
        # users / application / gateway
        r(app, "GET", "/users/{user_id}", self.get_user)
        r(app, "POST", "/users/{user_id}/channels", self.create_dm)
        r(app, "GET", "/oauth2/applications/@me", self.get_application)
        r(app, "GET", "/applications/@me", self.get_application)
        r(app, "GET", "/gateway", self.get_gateway, auth=False)
        r(app, "GET", "/gateway/bot", self.get_gateway_bot)
        # application commands
        for base in (
            "/applications/{application_id}/commands",
            "/applications/{application_id}/guilds/{guild_id}/commands",
        ):
            r(app, "GET", base, self.get_commands)
            r(app, "PUT", base, self.put_commands)
            r(app, "POST", base, self.post_command)
            r(app, "GET", base + "/{command_id}", self.get_command)
            r(app, "PATCH", base + "/{command_id}", self.patch_command)
            r(app, "DELETE", base + "/{command_id}", self.delete_command)
        # interactions and their webhooks
        r(
            app,
            "POST",
            "/interactions/{interaction_id}/{interaction_token}/callback",
            self.interaction_callback,
            auth=False,
            exempt_global=True,
        )
        hook = "/webhooks/{webhook_id}/{webhook_token}"
        r(app, "GET", hook, self.get_webhook, auth=False, exempt_global=True)
        r(app, "POST", hook, self.execute_webhook, auth=False, exempt_global=True)
        for method, handler in (
            ("GET", self.get_webhook_message),
            ("PATCH", self.edit_webhook_message),
            ("DELETE", self.delete_webhook_message),
        ):
            r(app, method, hook + "/messages/{message_id}", handler, auth=False, exempt_global=True)
        # channels and messages
        r(app, "GET", "/channels/{channel_id}", self.get_channel)
        r(app, "PATCH", "/channels/{channel_id}", self.edit_channel)
        r(app, "DELETE", "/channels/{channel_id}", self.delete_channel)
        r(app, "GET", "/channels/{channel_id}/messages", self.list_messages)
        r(app, "POST", "/channels/{channel_id}/messages", self.create_message)
        msg = "/channels/{channel_id}/messages/{message_id}"
        r(app, "GET", msg, self.get_message)
        r(app, "PATCH", msg, self.edit_message)
        r(app, "DELETE", msg, self.delete_message)
        r(app, "POST", msg + "/threads", self.thread_from_message)
        r(app, "PUT", msg + "/reactions/{emoji}/{user_id}", self.add_reaction)
        r(app, "DELETE", msg + "/reactions/{emoji}/{user_id}", self.remove_reaction)
        r(app, "POST", "/channels/{channel_id}/threads", self.thread_without_message)
        r(app, "GET", "/channels/{channel_id}/thread-members", self.list_thread_members)
        r(app, "PUT", "/channels/{channel_id}/thread-members/{user_id}", self.add_thread_member)
        r(
            app,
            "DELETE",
            "/channels/{channel_id}/thread-members/{user_id}",
            self.remove_thread_member,
        )
        r(app, "POST", "/channels/{channel_id}/typing", self.typing)
        # guilds
        r(app, "GET", "/guilds/{guild_id}", self.get_guild)
        r(app, "GET", "/guilds/{guild_id}/channels", self.get_guild_channels)
        r(app, "POST", "/guilds/{guild_id}/channels", self.create_guild_channel)
        r(app, "GET", "/guilds/{guild_id}/roles", self.get_roles)
        r(app, "GET", "/guilds/{guild_id}/members", self.list_members)
        r(app, "GET", "/guilds/{guild_id}/members/{user_id}", self.get_member)
        role = "/guilds/{guild_id}/members/{user_id}/roles/{role_id}"
        r(app, "PUT", role, self.add_member_role)
        r(app, "DELETE", role, self.remove_member_role)
        r(app, "GET", "/guilds/{guild_id}/threads/active", self.active_threads)
        events = "/guilds/{guild_id}/scheduled-events"
        r(app, "GET", events, self.list_events)
        r(app, "POST", events, self.create_event)
        r(app, "GET", events + "/{event_id}", self.get_event)
        r(app, "PATCH", events + "/{event_id}", self.edit_event)
        r(app, "DELETE", events + "/{event_id}", self.delete_event)
        r(app, "GET", events + "/{event_id}/users", self.event_users)
        # everything else: recorded 404
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._unknown_route)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self.cdn)

    def _route(
        self,
        app: web.Application,
        method: str,
        path: str,
        handler: Handler,
        *,
        auth: bool = True,
        exempt_global: bool = False,
    ) -> None:
        route_key = f"{method} {path}"

        async def endpoint(request: web.Request) -> web.StreamResponse:
            return await self._serve(request, route_key, handler, auth, exempt_global)

        app.router.add_route(method, API_PREFIX + path, endpoint)

    async def _serve(
        self,
        request: web.Request,
        route_key: str | None,
        handler: Handler | None,
        auth: bool,
        exempt_global: bool,
    ) -> web.StreamResponse:
        fake = self.fake
        started = time.perf_counter()
        rel = request.path[len(API_PREFIX) :]
        record = RequestRecord(
            method=request.method,
            path=rel,
            route=route_key.split(" ", 1)[1] if route_key else None,
            query=dict(request.query),
            json=None,
            files=[],
            time=started,
        )
        fake.requests.append(record)
        lose = False
        rate_headers: dict[str, str] = {}
        try:
            try:
                body, files = await read_body(request)
            except ValueError:
                raise ApiError(400, 50109, "The request body contains invalid JSON.") from None
            record.json = body
            record.files = [f.filename for f in files]
            fault = fake.faults.take(request.method, rel, body)
            if fault is not None:
                record.fault = "lose_response" if fault.lose_response else str(fault.status)
                if fault.delay:
                    await asyncio.sleep(fault.delay)
                if fault.lose_response:
                    lose = True
                elif fault.status is not None:
                    raise self._fault_error(fault.status, fault.retry_after, fault.body, fault)
            if handler is None:
                fake.unknown_routes.append((request.method, rel))
                raise ApiError(404, 0, "404: Not Found")
            if auth and request.headers.get("Authorization") != f"Bot {fake.token}":
                raise ApiError(401, 0, "401: Unauthorized")
            major = "+".join(
                request.match_info[k]
                for k in (
                    "channel_id",
                    "guild_id",
                    "webhook_id",
                    "webhook_token",
                    "interaction_id",
                    "interaction_token",
                )
                if k in request.match_info
            )
            assert route_key is not None
            limit = fake.limiter.check(route_key, major, exempt_global=exempt_global)
            rate_headers = limit.headers
            if limit.retry_after is not None:
                raise self._rate_limited(limit.retry_after, limit.is_global, limit.headers)
            if fake.rest_latency:
                await asyncio.sleep(fake.rest_latency)
            result = await handler(request, body if body is not None else {}, files)
            reply = result if isinstance(result, Reply) else Reply(result)
            if reply.data is None and reply.status == 200:
                reply.status = 204
            if reply.status == 204:
                response: web.StreamResponse = web.Response(status=204)
            else:
                response = json_response(reply.data, reply.status)
            response.headers.update(reply.headers)
            record.response = reply.data
        except ApiError as err:
            response = json_response(err.body(), err.status)
            response.headers.update(err.headers)
            record.response = err.body()
        if rate_headers and "X-RateLimit-Limit" not in response.headers:
            response.headers.update(rate_headers)
        record.status = response.status
        record.duration = time.perf_counter() - started
        if response.status in (401, 403, 429):
            fake.invalid_requests += 1
        if lose and request.transport is not None:
            record.status = 0
            request.transport.abort()
        fake._notify()
        return response

    @staticmethod
    def _rate_limited(retry_after: float, is_global: bool, headers: dict[str, str]) -> ApiError:
        headers = dict(headers)
        headers.setdefault("Retry-After", str(max(1, math.ceil(retry_after))))
        headers["Via"] = "1.1 google"  # discord.py treats a 429 without Via as a Cloudflare ban
        body: dict[str, Any] = {
            "message": "You are being rate limited.",
            "retry_after": round(retry_after, 3),
            "global": is_global,
        }
        if is_global:
            body["code"] = 0
        return ApiError(429, 0, body["message"], headers=headers, payload=body)

    def _fault_error(self, status: int, retry_after: float, body: Any, fault: Any) -> ApiError:
        if status == 429:
            headers = {"X-RateLimit-Scope": "global" if fault.is_global else "user"}
            if fault.is_global:
                headers["X-RateLimit-Global"] = "true"
            else:
                headers.update(
                    {
                        "X-RateLimit-Limit": "5",
                        "X-RateLimit-Remaining": "0",
                        "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
                        "X-RateLimit-Reset-After": f"{retry_after:.3f}",
                        "X-RateLimit-Bucket": "injected",
                    }
                )
            err = self._rate_limited(retry_after, fault.is_global, headers)
        else:
            messages = {
                500: "500: Internal Server Error",
                502: "502: Bad Gateway",
                503: "503: Service Unavailable",
                504: "504: Gateway Timeout",
            }
            err = ApiError(status, 0, messages.get(status, f"{status}: Injected fault"))
        if body is not None:
            err.payload = body
        return err

    async def _unknown_route(self, request: web.Request) -> web.StreamResponse:
        return await self._serve(request, None, None, auth=False, exempt_global=True)

    async def cdn(self, request: web.Request) -> web.StreamResponse:
        data = self.world.attachments.get(int(request.match_info["attachment_id"]))
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="application/octet-stream")

    # ================================================================ helpers
    def _attachments(
        self, channel_id: int, body: dict[str, Any], files: list[UploadedFile]
    ) -> list[dict[str, Any]]:
        meta = {str(a.get("id")): a for a in body.get("attachments") or []}
        out = []
        for upload in files:
            index = upload.field.removeprefix("files[").removesuffix("]")
            info = meta.get(index, {})
            aid = self.world.ids.next()
            self.world.attachments[aid] = upload.data
            filename = info.get("filename") or upload.filename
            url = f"{self.fake.base_url}/attachments/{channel_id}/{aid}/{quote(filename)}"
            attachment = {
                "id": str(aid),
                "filename": filename,
                "size": len(upload.data),
                "url": url,
                "proxy_url": url,
                "content_type": upload.content_type,
            }
            if info.get("description"):
                attachment["description"] = info["description"]
            out.append(attachment)
        return out

    def _dispatch_message(self, event: str, msg: dict[str, Any]) -> None:
        if msg["flags"] & EPHEMERAL:
            return
        data = self.world.message_for_gateway(msg)
        guild_id = int(data["guild_id"]) if "guild_id" in data else None
        self.fake.gateway.dispatch(event, data, guild_id=guild_id)

    def _dispatch_delete(self, msg: dict[str, Any]) -> None:
        if msg["flags"] & EPHEMERAL:
            return
        guild = self.world.guild_of_channel(int(msg["channel_id"]))
        data = {"id": msg["id"], "channel_id": msg["channel_id"]}
        if guild is not None:
            data["guild_id"] = str(guild.id)
        self.fake.gateway.dispatch("MESSAGE_DELETE", data, guild_id=guild.id if guild else None)

    def _dispatch_channel(self, event: str, channel: dict[str, Any]) -> None:
        gid = channel.get("guild_id")
        self.fake.gateway.dispatch(event, copy.deepcopy(channel), guild_id=int(gid) if gid else None)

    def _ensure_postable(self, channel: dict[str, Any]) -> None:
        if channel["type"] not in TEXT_LIKE_TYPES:
            raise ApiError(400, 50008, "Cannot send messages in a non-text channel")
        if channel["type"] == 1:
            recipient = int(channel["recipients"][0]["id"])
            if recipient in self.world.dms_closed:
                raise ApiError(403, 50007, "Cannot send messages to this user")
        if channel["type"] in THREAD_TYPES and channel["thread_metadata"]["archived"]:
            if channel["thread_metadata"]["locked"]:
                raise ApiError(400, 50083, "Thread is archived")
            channel["thread_metadata"]["archived"] = False
            self._dispatch_channel("THREAD_UPDATE", channel)

    def _check_nonce(self, body: dict[str, Any]) -> dict[str, Any] | None:
        nonce = body.get("nonce")
        if nonce is None:
            return None
        if len(str(nonce)) > 25:
            errors = FormErrors()
            errors.add("nonce", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
            errors.raise_if_any()
        if not body.get("enforce_nonce"):
            return None
        seen = self.fake.nonces.get((BOT_USER_ID, str(nonce)))
        if seen is None:
            return None
        message_id, at = seen
        if time.monotonic() - at > self.fake.nonce_window:
            return None
        return self.world.messages.get(message_id)

    # =================================================== users, app, gateway
    async def get_user(self, request: web.Request, body: Any, files: Any) -> Any:
        uid = request.match_info["user_id"]
        if uid == "@me":
            return self.world.bot_user_me()
        try:
            return self.world.user(int(uid))
        except ValueError:
            raise unknown("User") from None

    async def create_dm(self, request: web.Request, body: Any, files: Any) -> Any:
        if request.match_info["user_id"] != "@me":
            raise ApiError(404, 0, "404: Not Found")
        try:
            recipient = int(body.get("recipient_id"))
        except (TypeError, ValueError):
            raise unknown("User") from None
        return copy.deepcopy(self.world.dm_channel(recipient))

    async def get_application(self, request: web.Request, body: Any, files: Any) -> Any:
        return self.world.application()

    async def get_gateway(self, request: web.Request, body: Any, files: Any) -> Any:
        return {"url": self.fake.gateway_url}

    async def get_gateway_bot(self, request: web.Request, body: Any, files: Any) -> Any:
        return {
            "url": self.fake.gateway_url,
            "shards": self.fake.recommended_shards or max(1, math.ceil(len(self.world.guilds) / 1000)),
            "session_start_limit": {
                "total": 1000,
                "remaining": max(0, 1000 - self.fake.gateway.identify_count),
                "reset_after": 14_400_000,
                "max_concurrency": 1,
            },
        }

    # ========================================================== app commands
    def _command_scope(self, request: web.Request) -> int | None:
        if request.match_info["application_id"] != str(APPLICATION_ID):
            raise unknown("Application")
        gid = request.match_info.get("guild_id")
        if gid is None:
            return None
        try:
            guild = self.world.guild(gid)
        except ApiError:
            raise ApiError(403, 50001, "Missing Access") from None
        return guild.id

    def _command_payload(
        self, data: dict[str, Any], guild_id: int | None, existing: dict[str, Any] | None
    ) -> dict[str, Any]:
        ctype = int(data.get("type", 1))
        perms = data.get("default_member_permissions")
        cmd = {
            "id": existing["id"] if existing else str(self.world.ids.next()),
            "application_id": str(APPLICATION_ID),
            "version": str(self.world.ids.next()),
            "type": ctype,
            "name": data["name"],
            "name_localizations": data.get("name_localizations"),
            "description": data.get("description", "") if ctype == 1 else "",
            "description_localizations": data.get("description_localizations"),
            "default_member_permissions": None if perms is None else str(perms),
            "dm_permission": data.get("dm_permission", True),
            "contexts": data.get("contexts"),
            "integration_types": data.get("integration_types") or [0],
            "nsfw": bool(data.get("nsfw", False)),
        }
        if data.get("options"):
            cmd["options"] = copy.deepcopy(data["options"])
        if guild_id is not None:
            cmd["guild_id"] = str(guild_id)
        return cmd

    async def get_commands(self, request: web.Request, body: Any, files: Any) -> Any:
        return copy.deepcopy(self.world.commands_for(self._command_scope(request)))

    async def put_commands(self, request: web.Request, body: Any, files: Any) -> Any:
        gid = self._command_scope(request)
        if not isinstance(body, list):
            raise ApiError(400, 50035, "Invalid Form Body")
        validate_commands(body)
        current = self.world.commands_for(gid)
        by_key = {(c["type"], c["name"]): c for c in current}
        new = [self._command_payload(c, gid, by_key.get((int(c.get("type", 1)), c["name"]))) for c in body]
        current[:] = new
        self.fake.command_syncs.append((gid, [c["name"] for c in new]))
        return copy.deepcopy(new)

    async def post_command(self, request: web.Request, body: Any, files: Any) -> Any:
        gid = self._command_scope(request)
        validate_commands([body])
        current = self.world.commands_for(gid)
        ctype = int(body.get("type", 1))
        existing = next((c for c in current if (c["type"], c["name"]) == (ctype, body["name"])), None)
        cmd = self._command_payload(body, gid, existing)
        if existing is not None:
            current[current.index(existing)] = cmd
            return copy.deepcopy(cmd)
        current.append(cmd)
        return Reply(copy.deepcopy(cmd), status=201)

    def _find_command(self, request: web.Request) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        current = self.world.commands_for(self._command_scope(request))
        cid = request.match_info["command_id"]
        for cmd in current:
            if cmd["id"] == cid:
                return current, cmd
        raise unknown("Application Command")

    async def get_command(self, request: web.Request, body: Any, files: Any) -> Any:
        return copy.deepcopy(self._find_command(request)[1])

    async def patch_command(self, request: web.Request, body: Any, files: Any) -> Any:
        current, cmd = self._find_command(request)
        merged = {**cmd, **body}
        validate_commands([merged])
        gid = int(cmd["guild_id"]) if "guild_id" in cmd else None
        new = self._command_payload(merged, gid, cmd)
        current[current.index(cmd)] = new
        return copy.deepcopy(new)

    async def delete_command(self, request: web.Request, body: Any, files: Any) -> Any:
        current, cmd = self._find_command(request)
        current.remove(cmd)
        return None

    # ========================================================= interactions
    def _interaction_metadata(self, handle: InteractionHandle) -> dict[str, Any]:
        payload = handle.payload
        user = self.world.user(handle.user_id)
        meta: dict[str, Any] = {
            "id": str(handle.id),
            "type": handle.type,
            "user": user,
            "authorizing_integration_owners": payload.get("authorizing_integration_owners", {}),
        }
        if handle.type == APPLICATION_COMMAND:
            meta["name"] = payload["data"]["name"]
            meta["command_type"] = payload["data"].get("type", 1)
        if handle.type == MESSAGE_COMPONENT and handle.message:
            meta["interacted_message_id"] = handle.message["id"]
        return meta

    def _legacy_interaction(self, handle: InteractionHandle) -> dict[str, Any]:
        data = {
            "id": str(handle.id),
            "type": handle.type,
            "name": handle.payload.get("data", {}).get("name", ""),
            "user": self.world.user(handle.user_id),
        }
        if handle.guild_id:
            data["member"] = self.world.member(handle.guild_id, handle.user_id, with_user=False)
        return data

    def _interaction_message(
        self,
        handle: InteractionHandle,
        data: dict[str, Any],
        files: list[UploadedFile],
        *,
        extra_flags: int = 0,
        followup: bool = False,
        channel_id: int | None = None,
    ) -> dict[str, Any]:
        cid = channel_id or handle.channel_id
        body = dict(data)
        body["flags"] = (int(data.get("flags") or 0) & MESSAGE_FLAGS_ALLOWED) | extra_flags
        body.pop("nonce", None)
        command = handle.type == APPLICATION_COMMAND
        command_type = handle.payload.get("data", {}).get("type", 1)
        type_ = (20 if command_type == 1 else 23) if command else 0
        msg = self.world.build_message(
            cid,
            BOT_USER_ID,
            body,
            type_=type_,
            attachments=self._attachments(cid, data, files),
            webhook_id=APPLICATION_ID,
            interaction_metadata=self._interaction_metadata(handle),
        )
        if followup and handle.original_message_id:
            msg["interaction_metadata"]["original_response_message_id"] = str(handle.original_message_id)
        msg["interaction"] = self._legacy_interaction(handle)
        self.world.store_message(msg)
        return msg

    async def interaction_callback(self, request: web.Request, body: Any, files: list[UploadedFile]) -> Any:
        received = time.perf_counter()
        fake = self.fake
        try:
            handle = fake.interactions_by_id[int(request.match_info["interaction_id"])]
        except (KeyError, ValueError):
            raise unknown("interaction") from None
        if handle.token != request.match_info["interaction_token"]:
            raise unknown("interaction")
        ctype = body.get("type")
        data = body.get("data") or {}
        callback = InteractionCallback(
            type=ctype,
            data=data,
            body=body,
            responded_at=received,
            files=[f.filename for f in files],
        )
        if handle.responded_at is None:
            handle.responded_at = received
        if ctype not in (DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE, DEFERRED_UPDATE_MESSAGE):
            handle.mark_answered(received)  # a deferral shows no answer yet; its follow-up will
        try:
            if handle.response is not None:
                raise ApiError(400, 40060, "Interaction has already been acknowledged.")
            window = fake.interaction_response_window
            sent = handle.dispatched_at or handle.created_at
            if window is not None and received - sent > window:
                raise unknown("interaction")
            result = self._respond(handle, ctype, data, files)
        except ApiError as err:
            callback.accepted = False
            callback.status = err.status
            callback.error = err.body()
            handle.rejected_callbacks.append(callback)
            raise
        handle.response = callback
        return result

    def _respond(
        self,
        handle: InteractionHandle,
        ctype: int,
        data: dict[str, Any],
        files: list[UploadedFile],
    ) -> dict[str, Any]:
        allowed = {
            PING: {PONG},
            APPLICATION_COMMAND: {CHANNEL_MESSAGE_WITH_SOURCE, DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE, MODAL},
            MESSAGE_COMPONENT: {
                CHANNEL_MESSAGE_WITH_SOURCE,
                DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE,
                DEFERRED_UPDATE_MESSAGE,
                UPDATE_MESSAGE,
                MODAL,
            },
            AUTOCOMPLETE: {APPLICATION_COMMAND_AUTOCOMPLETE_RESULT},
            MODAL_SUBMIT: {
                CHANNEL_MESSAGE_WITH_SOURCE,
                DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE,
                DEFERRED_UPDATE_MESSAGE,
                UPDATE_MESSAGE,
            },
        }[handle.type]
        if ctype in (DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE) and not handle.message:
            allowed = allowed - {DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE}
        if ctype not in allowed:
            errors = FormErrors()
            errors.add(
                "type",
                "INTERACTION_RESPONSE_TYPE_INVALID",
                f"Interaction response type {ctype} is not valid for interaction type {handle.type}",
            )
            errors.raise_if_any()
        message: dict[str, Any] | None = None
        ephemeral = False
        world = self.world
        if ctype == CHANNEL_MESSAGE_WITH_SOURCE:
            validate_message(data, has_files=bool(files))
            message = self._interaction_message(handle, data, files)
            handle.original_message_id = int(message["id"])
            self._dispatch_message("MESSAGE_CREATE", message)
        elif ctype == DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE:
            flags = int(data.get("flags") or 0) & EPHEMERAL
            message = self._interaction_message(handle, {"flags": flags}, [], extra_flags=LOADING)
            handle.original_message_id = int(message["id"])
            handle.deferred = True
            self._dispatch_message("MESSAGE_CREATE", message)
        elif ctype in (DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE):
            target = world.messages.get(int(handle.message["id"]))  # type: ignore[index]
            if target is None:
                raise unknown("Message")
            handle.original_message_id = int(target["id"])
            handle.deferred = ctype == DEFERRED_UPDATE_MESSAGE
            if ctype == UPDATE_MESSAGE:
                validate_message(data, has_files=bool(files), edit=True)
                world.edit_message(
                    target, data, attachments=self._attachments(handle.channel_id, data, files)
                )
                self._dispatch_message("MESSAGE_UPDATE", target)
            message = target
        elif ctype == APPLICATION_COMMAND_AUTOCOMPLETE_RESULT:
            choices = data.get("choices") or []
            if len(choices) > 25:
                errors = FormErrors()
                errors.add("data.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
                errors.raise_if_any()
            handle.autocomplete_choices = choices
        elif ctype == MODAL:
            errors = FormErrors()
            errors.length_between("data.custom_id", data.get("custom_id"), 1, 100)
            errors.length_between("data.title", data.get("title"), 1, 45)
            errors.length_between("data.components", data.get("components"), 1, 5)
            errors.raise_if_any()
            handle.modal = data
            self.fake.modals[data["custom_id"]] = handle
        if message is not None:
            ephemeral = bool(message["flags"] & EPHEMERAL)
        interaction: dict[str, Any] = {
            "id": str(handle.id),
            "type": handle.type,
            "response_message_loading": ctype == DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE,
            "response_message_ephemeral": ephemeral,
        }
        resource: dict[str, Any] = {"type": ctype}
        if message is not None:
            interaction["response_message_id"] = message["id"]
            resource["message"] = copy.deepcopy(message)
        return {"interaction": interaction, "resource": resource}

    def _handle_for_webhook(self, request: web.Request) -> InteractionHandle:
        if request.match_info["webhook_id"] != str(APPLICATION_ID):
            raise unknown("Webhook")
        handle = self.fake.interactions_by_token.get(request.match_info["webhook_token"])
        if handle is None:
            raise unknown("Webhook")
        if time.time() - handle.created_wall > TOKEN_LIFETIME:
            raise ApiError(401, 50027, "Invalid Webhook Token")
        return handle

    async def get_webhook(self, request: web.Request, body: Any, files: Any) -> Any:
        handle = self._handle_for_webhook(request)
        return {
            "id": str(APPLICATION_ID),
            "type": 3,
            "name": self.world.bot_name,
            "avatar": None,
            "channel_id": str(handle.channel_id),
            "guild_id": str(handle.guild_id) if handle.guild_id else None,
            "application_id": str(APPLICATION_ID),
            "token": handle.token,
        }

    async def execute_webhook(self, request: web.Request, body: Any, files: list[UploadedFile]) -> Any:
        received = time.perf_counter()
        handle = self._handle_for_webhook(request)
        handle.mark_answered(received)
        if handle.response is None:
            raise unknown("Webhook")
        validate_message(body, has_files=bool(files))
        original = handle.original_message
        if handle.deferred and original is not None and original["flags"] & LOADING:
            # Discord: the first followup after a deferred response edits the "thinking"
            # message instead of creating a new one.
            self.world.edit_message(
                original, body, attachments=self._attachments(handle.channel_id, body, files)
            )
            self._dispatch_message("MESSAGE_UPDATE", original)
            msg = original
        else:
            thread_id = request.query.get("thread_id")
            msg = self._interaction_message(
                handle,
                body,
                files,
                followup=True,
                channel_id=int(thread_id) if thread_id else None,
            )
            self._dispatch_message("MESSAGE_CREATE", msg)
        handle.followup_ids.append(int(msg["id"]))
        if request.query.get("wait", "false").lower() not in ("true", "1"):
            return None
        return copy.deepcopy(msg)

    def _webhook_message(self, request: web.Request) -> tuple[InteractionHandle, dict[str, Any]]:
        handle = self._handle_for_webhook(request)
        raw = request.match_info["message_id"]
        if raw == "@original":
            mid = handle.original_message_id
        else:
            mid = int(raw) if raw.isdigit() else None
            if mid != handle.original_message_id and mid not in handle.followup_ids:
                mid = None
        if mid is None or mid not in self.world.messages:
            raise unknown("Message")
        return handle, self.world.messages[mid]

    async def get_webhook_message(self, request: web.Request, body: Any, files: Any) -> Any:
        return copy.deepcopy(self._webhook_message(request)[1])

    async def edit_webhook_message(self, request: web.Request, body: Any, files: list[UploadedFile]) -> Any:
        received = time.perf_counter()
        handle, msg = self._webhook_message(request)
        handle.mark_answered(received)
        validate_message(body, has_files=bool(files), edit=True)
        self.world.edit_message(msg, body, attachments=self._attachments(int(msg["channel_id"]), body, files))
        self._dispatch_message("MESSAGE_UPDATE", msg)
        return copy.deepcopy(msg)

    async def delete_webhook_message(self, request: web.Request, body: Any, files: Any) -> Any:
        _, msg = self._webhook_message(request)
        self.world.delete_message(int(msg["id"]))
        self._dispatch_delete(msg)
        return None

    # ============================================================= channels
    async def get_channel(self, request: web.Request, body: Any, files: Any) -> Any:
        return copy.deepcopy(self.world.channel(request.match_info["channel_id"]))

    async def edit_channel(self, request: web.Request, body: Any, files: Any) -> Any:
        channel = self.world.channel(request.match_info["channel_id"])
        errors = FormErrors()
        if "name" in body:
            errors.length_between("name", body["name"], 1, 100)
        errors.raise_if_any()
        if channel["type"] in THREAD_TYPES:
            meta = channel["thread_metadata"]
            for key in ("archived", "locked", "auto_archive_duration", "invitable"):
                if key in body:
                    meta[key] = body[key]
                    if key == "archived":
                        meta["archive_timestamp"] = self.fake.now_iso()
            for key in ("name", "rate_limit_per_user", "applied_tags", "flags"):
                if key in body:
                    channel[key] = body[key]
            self._dispatch_channel("THREAD_UPDATE", channel)
        else:
            for key in (
                "name",
                "topic",
                "nsfw",
                "rate_limit_per_user",
                "position",
                "parent_id",
                "bitrate",
                "user_limit",
                "default_auto_archive_duration",
            ):
                if key in body:
                    channel[key] = body[key]
            self._dispatch_channel("CHANNEL_UPDATE", channel)
        return copy.deepcopy(channel)

    async def delete_channel(self, request: web.Request, body: Any, files: Any) -> Any:
        channel = self.world.channel(request.match_info["channel_id"])
        cid = int(channel["id"])
        if channel["type"] == 1:
            return copy.deepcopy(channel)
        del self.world.channels[cid]
        guild = self.world.guild(channel["guild_id"])
        guild.channel_ids.remove(cid)
        if guild.channels.get(channel.get("name", "")) == cid:
            del guild.channels[channel["name"]]
        if channel["type"] in THREAD_TYPES:
            self.fake.gateway.dispatch(
                "THREAD_DELETE",
                {
                    "id": channel["id"],
                    "guild_id": channel["guild_id"],
                    "parent_id": channel["parent_id"],
                    "type": channel["type"],
                },
                guild_id=guild.id,
            )
        else:
            self._dispatch_channel("CHANNEL_DELETE", channel)
        return copy.deepcopy(channel)

    # ============================================================= messages
    async def list_messages(self, request: web.Request, body: Any, files: Any) -> Any:
        cid = int(self.world.channel(request.match_info["channel_id"])["id"])
        q = request.query
        limit = max(1, min(100, int(q.get("limit", 50))))
        ids = [
            m
            for m in self.world.channel_messages.get(cid, [])
            if not self.world.messages[m]["flags"] & EPHEMERAL
        ]
        if "before" in q:
            ids = [m for m in ids if m < int(q["before"])]
        if "after" in q:
            ids = [m for m in ids if m > int(q["after"])][:limit]
        if "around" in q:
            around = int(q["around"])
            older = [m for m in ids if m <= around][-(limit // 2 + limit % 2) :]
            newer = [m for m in ids if m > around][: limit // 2]
            ids = older + newer
        ids = ids[-limit:]
        return [copy.deepcopy(self.world.messages[m]) for m in reversed(ids)]

    async def get_message(self, request: web.Request, body: Any, files: Any) -> Any:
        msg = self.world.message(request.match_info["message_id"], request.match_info["channel_id"])
        if msg["flags"] & EPHEMERAL:
            raise unknown("Message")
        return copy.deepcopy(msg)

    async def create_message(self, request: web.Request, body: Any, files: list[UploadedFile]) -> Any:
        channel = self.world.channel(request.match_info["channel_id"])
        self._ensure_postable(channel)
        validate_message(body, has_files=bool(files))
        existing = self._check_nonce(body)
        if existing is not None:
            self.fake.nonce_dedupes += 1
            return copy.deepcopy(existing)
        body = dict(body)
        body["flags"] = int(body.get("flags") or 0) & (
            SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | IS_COMPONENTS_V2
        )
        cid = int(channel["id"])
        msg = self.world.build_message(
            cid, BOT_USER_ID, body, attachments=self._attachments(cid, body, files)
        )
        self.world.store_message(msg)
        if body.get("nonce") is not None:
            self.fake.nonces[(BOT_USER_ID, str(body["nonce"]))] = (
                int(msg["id"]),
                time.monotonic(),
            )
        self._dispatch_message("MESSAGE_CREATE", msg)
        return copy.deepcopy(msg)

    async def edit_message(self, request: web.Request, body: Any, files: list[UploadedFile]) -> Any:
        msg = self.world.message(request.match_info["message_id"], request.match_info["channel_id"])
        if msg["flags"] & EPHEMERAL:
            raise unknown("Message")
        content_keys = {"content", "embeds", "components", "attachments", "poll"}
        if msg["author"]["id"] != str(BOT_USER_ID) and content_keys & set(body):
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        validate_message(body, has_files=bool(files), edit=True)
        self.world.edit_message(msg, body, attachments=self._attachments(int(msg["channel_id"]), body, files))
        self._dispatch_message("MESSAGE_UPDATE", msg)
        return copy.deepcopy(msg)

    async def delete_message(self, request: web.Request, body: Any, files: Any) -> Any:
        msg = self.world.message(request.match_info["message_id"], request.match_info["channel_id"])
        if msg["flags"] & EPHEMERAL:
            raise unknown("Message")
        self.world.delete_message(int(msg["id"]))
        self._dispatch_delete(msg)
        return None

    async def typing(self, request: web.Request, body: Any, files: Any) -> Any:
        self.world.channel(request.match_info["channel_id"])
        return None

    # ------------------------------------------------------------ reactions
    async def add_reaction(self, request: web.Request, body: Any, files: Any) -> Any:
        if request.match_info["user_id"] != "@me":
            raise ApiError(404, 0, "404: Not Found")
        msg = self.world.message(request.match_info["message_id"], request.match_info["channel_id"])
        self.fake._react(msg, BOT_USER_ID, request.match_info["emoji"], add=True)
        return None

    async def remove_reaction(self, request: web.Request, body: Any, files: Any) -> Any:
        msg = self.world.message(request.match_info["message_id"], request.match_info["channel_id"])
        raw_user = request.match_info["user_id"]
        user_id = BOT_USER_ID if raw_user == "@me" else int(raw_user)
        self.fake._react(msg, user_id, request.match_info["emoji"], add=False)
        return None

    # -------------------------------------------------------------- threads
    def _thread_name(self, body: dict[str, Any]) -> str:
        errors = FormErrors()
        errors.length_between("name", body.get("name"), 1, 100)
        duration = body.get("auto_archive_duration")
        if duration is not None and duration not in (60, 1440, 4320, 10080):
            errors.add(
                "auto_archive_duration",
                "BASE_TYPE_CHOICES",
                "Value must be one of {60, 1440, 4320, 10080}.",
            )
        errors.raise_if_any()
        return body["name"]

    def _announce_thread(self, thread: dict[str, Any]) -> None:
        data = copy.deepcopy(thread)
        data["newly_created"] = True
        data["member"] = self.world.thread_member_payload(int(thread["id"]), BOT_USER_ID)
        self.fake.gateway.dispatch("THREAD_CREATE", data, guild_id=int(thread["guild_id"]))

    async def thread_from_message(self, request: web.Request, body: Any, files: Any) -> Any:
        channel = self.world.channel(request.match_info["channel_id"])
        if channel["type"] not in (0, 5):
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        msg = self.world.message(request.match_info["message_id"], channel["id"])
        if "thread" in msg or int(msg["id"]) in self.world.channels:
            raise ApiError(400, 160004, "A thread has already been created for this message")
        name = self._thread_name(body)
        thread = self.world.add_thread(
            int(channel["id"]),
            name,
            type_=11 if channel["type"] == 0 else 10,
            owner_id=BOT_USER_ID,
            thread_id=int(msg["id"]),
            auto_archive_duration=body.get("auto_archive_duration")
            or channel.get("default_auto_archive_duration", 1440),
            rate_limit_per_user=body.get("rate_limit_per_user") or 0,
        )
        msg["thread"] = copy.deepcopy(thread)
        self._announce_thread(thread)
        return copy.deepcopy(thread)

    async def thread_without_message(self, request: web.Request, body: Any, files: list[UploadedFile]) -> Any:
        channel = self.world.channel(request.match_info["channel_id"])
        name = self._thread_name(body)
        ctype = channel["type"]
        if ctype in (15, 16):
            starter = body.get("message")
            if not starter:
                errors = FormErrors()
                errors.required("message", None)
                errors.raise_if_any()
            validate_message(starter, has_files=bool(files))
            thread = self.world.add_thread(
                int(channel["id"]),
                name,
                type_=11,
                owner_id=BOT_USER_ID,
                auto_archive_duration=body.get("auto_archive_duration") or 1440,
                rate_limit_per_user=body.get("rate_limit_per_user") or 0,
                applied_tags=body.get("applied_tags"),
            )
            tid = int(thread["id"])
            msg = self.world.build_message(
                tid,
                BOT_USER_ID,
                starter,
                message_id=tid,
                attachments=self._attachments(tid, starter, files),
            )
            self.world.store_message(msg)
            channel["last_message_id"] = thread["id"]
            self._announce_thread(thread)
            self._dispatch_message("MESSAGE_CREATE", msg)
            result = copy.deepcopy(thread)
            result["message"] = copy.deepcopy(msg)
            return Reply(result, status=201)
        if ctype not in (0, 5):
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        type_ = int(body.get("type") or 12)
        if type_ not in (10, 11, 12) or (type_ == 10) != (ctype == 5):
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        thread = self.world.add_thread(
            int(channel["id"]),
            name,
            type_=type_,
            owner_id=BOT_USER_ID,
            auto_archive_duration=body.get("auto_archive_duration")
            or channel.get("default_auto_archive_duration", 1440),
            invitable=body.get("invitable", True),
            rate_limit_per_user=body.get("rate_limit_per_user") or 0,
        )
        self._announce_thread(thread)
        if type_ == 11:
            # Discord announces public threads made without a message in the parent.
            notice = self.world.build_message(
                int(channel["id"]),
                BOT_USER_ID,
                {
                    "content": name,
                    "message_reference": {
                        "channel_id": thread["id"],
                        "fail_if_not_exists": False,
                    },
                },
            )
            notice["type"] = 18
            notice.pop("referenced_message", None)
            notice["message_reference"] = {
                "type": 0,
                "channel_id": thread["id"],
                "guild_id": thread["guild_id"],
            }
            self.world.store_message(notice)
            self._dispatch_message("MESSAGE_CREATE", notice)
        return Reply(copy.deepcopy(thread), status=201)

    def _thread(self, request: web.Request) -> dict[str, Any]:
        channel = self.world.channel(request.match_info["channel_id"])
        if channel["type"] not in THREAD_TYPES:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        return channel

    async def list_thread_members(self, request: web.Request, body: Any, files: Any) -> Any:
        thread = self._thread(request)
        tid = int(thread["id"])
        return [
            self.world.thread_member_payload(tid, uid)
            for uid in sorted(self.world.thread_members.get(tid, set()))
        ]

    def _thread_members_update(self, thread: dict[str, Any], added: list[int], removed: list[int]) -> None:
        tid = int(thread["id"])
        members = self.world.thread_members.setdefault(tid, set())
        thread["member_count"] = len(members)
        data: dict[str, Any] = {
            "id": thread["id"],
            "guild_id": thread["guild_id"],
            "member_count": len(members),
        }
        if added:
            data["added_members"] = [self.world.thread_member_payload(tid, u) for u in added]
        if removed:
            data["removed_member_ids"] = [str(u) for u in removed]
        self.fake.gateway.dispatch("THREAD_MEMBERS_UPDATE", data, guild_id=int(thread["guild_id"]))

    async def add_thread_member(self, request: web.Request, body: Any, files: Any) -> Any:
        thread = self._thread(request)
        raw = request.match_info["user_id"]
        uid = BOT_USER_ID if raw == "@me" else int(raw)
        guild = self.world.guild(thread["guild_id"])
        if uid not in guild.members:
            raise unknown("Member")
        members = self.world.thread_members.setdefault(int(thread["id"]), set())
        if uid not in members:
            members.add(uid)
            self._thread_members_update(thread, [uid], [])
        return None

    async def remove_thread_member(self, request: web.Request, body: Any, files: Any) -> Any:
        thread = self._thread(request)
        raw = request.match_info["user_id"]
        uid = BOT_USER_ID if raw == "@me" else int(raw)
        members = self.world.thread_members.setdefault(int(thread["id"]), set())
        if uid in members:
            members.discard(uid)
            self._thread_members_update(thread, [], [uid])
        return None

    # =============================================================== guilds
    async def get_guild(self, request: web.Request, body: Any, files: Any) -> Any:
        guild = self.world.guild(request.match_info["guild_id"])
        payload = self.world.guild_payload(guild.id)
        if request.query.get("with_counts") in ("true", "1"):
            payload["approximate_member_count"] = len(guild.members)
            payload["approximate_presence_count"] = 0
        return payload

    async def get_guild_channels(self, request: web.Request, body: Any, files: Any) -> Any:
        guild = self.world.guild(request.match_info["guild_id"])
        return [
            copy.deepcopy(self.world.channels[c])
            for c in guild.channel_ids
            if self.world.channels[c]["type"] not in THREAD_TYPES
        ]

    async def create_guild_channel(self, request: web.Request, body: Any, files: Any) -> Any:
        guild = self.world.guild(request.match_info["guild_id"])
        errors = FormErrors()
        errors.length_between("name", body.get("name"), 1, 100)
        errors.raise_if_any()
        parent = body.get("parent_id")
        channel = self.world.add_channel(
            guild.id,
            body["name"],
            int(body.get("type") or 0),
            parent_id=int(parent) if parent else None,
            topic=body.get("topic"),
        )
        self._dispatch_channel("CHANNEL_CREATE", channel)
        return Reply(copy.deepcopy(channel), status=201)

    async def get_roles(self, request: web.Request, body: Any, files: Any) -> Any:
        guild = self.world.guild(request.match_info["guild_id"])
        return [copy.deepcopy(r) for r in guild.roles.values()]

    async def list_members(self, request: web.Request, body: Any, files: Any) -> Any:
        guild = self.world.guild(request.match_info["guild_id"])
        limit = max(1, min(1000, int(request.query.get("limit", 1))))
        after = int(request.query.get("after", 0))
        ids = sorted(u for u in guild.members if u > after)[:limit]
        return [self.world.member(guild.id, u) for u in ids]

    async def get_member(self, request: web.Request, body: Any, files: Any) -> Any:
        raw = request.match_info["user_id"]
        uid = BOT_USER_ID if raw == "@me" else int(raw)
        return self.world.member(int(request.match_info["guild_id"]), uid)

    def _member_role(self, request: web.Request) -> tuple[int, int, int]:
        guild = self.world.guild(request.match_info["guild_id"])
        uid = int(request.match_info["user_id"])
        rid = int(request.match_info["role_id"])
        if uid not in guild.members:
            raise unknown("Member")
        if rid not in guild.roles or rid == guild.id:
            raise unknown("Role")
        return guild.id, uid, rid

    async def add_member_role(self, request: web.Request, body: Any, files: Any) -> Any:
        gid, uid, rid = self._member_role(request)
        self.fake._set_member_role(gid, uid, rid, add=True)
        return None

    async def remove_member_role(self, request: web.Request, body: Any, files: Any) -> Any:
        gid, uid, rid = self._member_role(request)
        self.fake._set_member_role(gid, uid, rid, add=False)
        return None

    async def active_threads(self, request: web.Request, body: Any, files: Any) -> Any:
        guild = self.world.guild(request.match_info["guild_id"])
        threads = [
            copy.deepcopy(self.world.channels[c])
            for c in guild.channel_ids
            if self.world.channels[c]["type"] in THREAD_TYPES
            and not self.world.channels[c]["thread_metadata"]["archived"]
        ]
        return {"threads": threads, "members": []}

    # ===================================================== scheduled events
    def _event(self, request: web.Request) -> dict[str, Any]:
        guild = self.world.guild(request.match_info["guild_id"])
        try:
            event = self.world.scheduled_events[int(request.match_info["event_id"])]
        except (KeyError, ValueError):
            raise unknown("Guild Scheduled Event") from None
        if event["guild_id"] != str(guild.id):
            raise unknown("Guild Scheduled Event")
        return event

    def _event_out(self, event: dict[str, Any], request: web.Request) -> dict[str, Any]:
        out = copy.deepcopy(event)
        if request.query.get("with_user_count") not in ("true", "1"):
            out.pop("user_count", None)
        return out

    def _channel_type(self, guild_id: int, channel_id: Any) -> int | None:
        if not channel_id:
            return None
        channel = self.world.channels.get(int(channel_id))
        if channel is None or channel.get("guild_id") != str(guild_id):
            raise unknown("Channel")
        return channel["type"]

    async def list_events(self, request: web.Request, body: Any, files: Any) -> Any:
        guild = self.world.guild(request.match_info["guild_id"])
        return [
            self._event_out(e, request)
            for e in self.world.scheduled_events.values()
            if e["guild_id"] == str(guild.id)
        ]

    async def create_event(self, request: web.Request, body: Any, files: Any) -> Any:
        guild = self.world.guild(request.match_info["guild_id"])
        validate_scheduled_event(
            body,
            existing=None,
            channel_type=self._channel_type(guild.id, body.get("channel_id")),
            check_times=self.fake.validate_event_times,
        )
        eid = self.world.ids.next()
        external = body["entity_type"] == 3
        event = {
            "id": str(eid),
            "guild_id": str(guild.id),
            "channel_id": None if external else str(body["channel_id"]),
            "creator_id": str(BOT_USER_ID),
            "creator": self.world.user(BOT_USER_ID),
            "name": body["name"],
            "description": body.get("description"),
            "scheduled_start_time": body["scheduled_start_time"],
            "scheduled_end_time": body.get("scheduled_end_time"),
            "privacy_level": body["privacy_level"],
            "status": 1,
            "entity_type": body["entity_type"],
            "entity_id": None,
            "entity_metadata": {"location": body["entity_metadata"]["location"]} if external else None,
            "sku_ids": [],
            "image": f"{eid:x}"[:32] if body.get("image") else None,
            "recurrence_rule": body.get("recurrence_rule"),
            "auto_start": False,
            "user_count": 0,
        }
        self.world.scheduled_events[eid] = event
        self.world.event_users[eid] = set()
        self.fake.gateway.dispatch(
            "GUILD_SCHEDULED_EVENT_CREATE", self._gateway_event(event), guild_id=guild.id
        )
        return copy.deepcopy(event)

    @staticmethod
    def _gateway_event(event: dict[str, Any]) -> dict[str, Any]:
        out = copy.deepcopy(event)
        out.pop("user_count", None)
        return out

    async def get_event(self, request: web.Request, body: Any, files: Any) -> Any:
        return self._event_out(self._event(request), request)

    async def edit_event(self, request: web.Request, body: Any, files: Any) -> Any:
        event = self._event(request)
        guild_id = int(event["guild_id"])
        merged_channel = body.get("channel_id", event["channel_id"])
        if body.get("entity_type") == 3:
            merged_channel = None
        validate_scheduled_event(
            body,
            existing=event,
            channel_type=self._channel_type(guild_id, merged_channel),
            check_times=self.fake.validate_event_times,
        )
        if "status" in body and body["status"] not in EVENT_TRANSITIONS[event["status"]]:
            errors = FormErrors()
            errors.add(
                "status",
                "GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION",
                f"Cannot transition from status {event['status']} to {body['status']}",
            )
            errors.raise_if_any()
        for key in (
            "name",
            "description",
            "scheduled_start_time",
            "scheduled_end_time",
            "privacy_level",
            "status",
            "entity_type",
            "recurrence_rule",
        ):
            if key in body:
                event[key] = body[key]
        if "channel_id" in body or event["entity_type"] == 3:
            event["channel_id"] = None if event["entity_type"] == 3 else str(merged_channel)
        if "entity_metadata" in body:
            event["entity_metadata"] = body["entity_metadata"]
        if event["entity_type"] != 3:
            event["entity_metadata"] = None
        if "image" in body:
            event["image"] = f"{int(event['id']):x}"[:32] if body["image"] else None
        self.fake.gateway.dispatch(
            "GUILD_SCHEDULED_EVENT_UPDATE", self._gateway_event(event), guild_id=guild_id
        )
        return self._event_out(event, request)

    async def delete_event(self, request: web.Request, body: Any, files: Any) -> Any:
        event = self._event(request)
        eid = int(event["id"])
        del self.world.scheduled_events[eid]
        self.world.deleted_events.append(event)
        self.fake.gateway.dispatch(
            "GUILD_SCHEDULED_EVENT_DELETE",
            self._gateway_event(event),
            guild_id=int(event["guild_id"]),
        )
        return None

    async def event_users(self, request: web.Request, body: Any, files: Any) -> Any:
        event = self._event(request)
        eid = int(event["id"])
        limit = max(1, min(100, int(request.query.get("limit", 100))))
        with_member = request.query.get("with_member") in ("true", "1")
        guild = self.world.guild(event["guild_id"])
        out = []
        for uid in sorted(self.world.event_users.get(eid, set()))[:limit]:
            entry: dict[str, Any] = {
                "guild_scheduled_event_id": event["id"],
                "user": self.world.user(uid),
            }
            if with_member and uid in guild.members:
                entry["member"] = self.world.member(guild.id, uid, with_user=False)
            out.append(entry)
        return out
