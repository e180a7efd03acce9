"""A local fake of Discord's REST API and gateway (aiohttp on 127.0.0.1, port 0).

It speaks just enough of Discord for the real discord.py client to log in, sync commands,
receive events, answer interactions and post: plain JSON text frames, exact
``application/json`` bodies, 429s with a ``Via`` header as Cloudflare-fronted Discord sends.
Every REST call is recorded with the loop time it arrived at; ``fail`` scripts errors.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import discord
from aiohttp import WSMsgType, web

APP = "1000"
GUILD = "2000"
GENERAL, SECRET = "3000", "3001"
KEEPERS = "2100"  # a role that can see #secret
VIEW = 1 << 10
EVERYONE_PERMS = str(VIEW | (1 << 11) | (1 << 16))  # view, send, read history

# How long Discord returns the message made with a nonce instead of making another ("the past
# few minutes"; it publishes no figure, and the fake keeps to the short side of it).
NONCE_WINDOW = 120.0

BOT = {"id": APP, "username": "narrate-bot", "discriminator": "0", "avatar": None, "bot": True}
OWNER = {"id": "9999", "username": "owner", "discriminator": "0", "avatar": None}


def user(uid: str, name: str) -> dict[str, Any]:
    return {"id": uid, "username": name, "discriminator": "0", "avatar": None, "global_name": name}


ALICE, BOB, CAROL = user("4000", "alice"), user("4001", "bob"), user("4002", "carol")
FAY, GIL = user("4005", "fay"), user("4006", "gil")  # keepers too
PEOPLE = {u["id"]: u for u in (ALICE, BOB, CAROL, FAY, GIL)}
ROLES = {ALICE["id"]: [KEEPERS], BOB["id"]: [], CAROL["id"]: [KEEPERS], FAY["id"]: [KEEPERS],
         GIL["id"]: [KEEPERS]}  # fmt: skip


def member(who: dict[str, Any], roles: list[str] | None = None) -> dict[str, Any]:
    return {
        "user": who,
        "roles": ROLES.get(who["id"], []) if roles is None else roles,
        "joined_at": "2024-01-01T00:00:00+00:00",
        "deaf": False,
        "mute": False,
        "flags": 0,
    }


def text_channel(
    cid: str, name: str, overwrites: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "id": cid,
        "type": 0,
        "guild_id": GUILD,
        "name": name,
        "position": int(cid) - 3000,
        "permission_overwrites": overwrites or [],
        "nsfw": False,
        "parent_id": None,
    }


PRIVATE = [
    {"id": GUILD, "type": 0, "allow": "0", "deny": str(VIEW)},
    {"id": KEEPERS, "type": 0, "allow": str(VIEW), "deny": "0"},
]


def guild() -> dict[str, Any]:
    return {
        "id": GUILD,
        "name": "Acme",
        "owner_id": OWNER["id"],
        "roles": [
            {"id": GUILD, "name": "@everyone", "permissions": EVERYONE_PERMS, "position": 0,
             "color": 0, "hoist": False, "managed": False, "mentionable": False},
            {"id": KEEPERS, "name": "keepers", "permissions": "0", "position": 1,
             "color": 0, "hoist": False, "managed": False, "mentionable": False},
        ],
        "channels": [text_channel(GENERAL, "general"), text_channel(SECRET, "secret", PRIVATE)],
        "members": [member(BOT, []), member(ALICE)],
        "member_count": 5,
        "large": False,
        "features": [],
        "emojis": [],
        "stickers": [],
        "threads": [],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    }  # fmt: skip


def pinged(body: dict[str, Any]) -> set[str]:
    """Whom Discord would notify for a message it was sent: user ids, ``role:<id>`` and
    ``@everyone``, as ``allowed_mentions`` permits (no field: everything in the content)."""
    content = str(body.get("content") or "")
    allowed = body.get("allowed_mentions")
    parse = set(allowed.get("parse", [])) if allowed is not None else {"users", "roles", "everyone"}
    users = {str(u) for u in (allowed or {}).get("users", [])}
    roles = {str(r) for r in (allowed or {}).get("roles", [])}
    out = {u for u in re.findall(r"<@!?(\d+)>", content) if "users" in parse or u in users}
    out |= {
        f"role:{r}" for r in re.findall(r"<@&(\d+)>", content) if "roles" in parse or r in roles
    }
    if "everyone" in parse and re.search(r"@(?:everyone|here)\b", content):
        out.add("@everyone")
    return out


def J(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py's json_or_text wants exactly "application/json" (aiohttp would add a charset).
    return web.Response(
        body=json.dumps(obj).encode(), status=status, content_type="application/json",
        headers=headers,
    )  # fmt: skip


@dataclass
class Call:
    method: str
    path: str
    body: Any
    at: float
    status: int = 200


@dataclass
class Failure:
    method: str
    pattern: re.Pattern[str]
    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    times: int
    skip: int = 0  # matching requests let through before the first failure
    # Do what was asked first, then answer with the failure: a 5xx after Discord created the
    # message (or the connection lost on the way back), the case a nonce is for.
    made: bool = False


@dataclass
class FakeDiscord:
    calls: list[Call] = field(default_factory=list)
    sent_at: dict[str, float] = field(default_factory=dict)
    acked_at: dict[str, float] = field(default_factory=dict)
    close_code: int | None = None  # close the gateway with this code after IDENTIFY
    global_limit: int | None = None  # requests per second before a global 429 (like Discord's 50)
    identify: dict[str, Any] = field(default_factory=dict)
    login_status: int = 200
    resumed: int = 0
    # What GET /guilds/…/members/… says now, changed without any gateway event (as Discord
    # does for a bot without the members intent): someone's roles, or that they left.
    roles: dict[str, list[str]] = field(default_factory=dict)
    gone: set[str] = field(default_factory=set)

    async def start(self) -> FakeDiscord:
        self.ws: web.WebSocketResponse | None = None
        self._seq = itertools.count(1)
        self._ids = itertools.count(7000)
        self._failures: list[Failure] = []
        self._holds: list[tuple[str, re.Pattern[str], asyncio.Event, int]] = []
        self.threads: dict[str, dict[str, Any]] = {}  # thread id -> the thread, as last set
        self.sent: dict[str, list[dict[str, Any]]] = {}  # channel id -> messages posted there
        # (channel id, nonce) -> the message made with it, and when
        self.nonces: dict[tuple[str, str], tuple[dict[str, Any], float]] = {}
        self.guild = guild()
        self.app = web.Application()
        self.app.router.add_get("/gateway", self._gateway)
        self.app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self.runner = web.AppRunner(self.app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.api_base = f"http://127.0.0.1:{port}/api/v10"
        self.ws_url = f"ws://127.0.0.1:{port}/gateway"
        return self

    async def stop(self) -> None:
        await self.runner.cleanup()

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    # --------------------------------------------------------------------------------- REST

    def fail(
        self,
        method: str,
        pattern: str,
        status: int,
        body: dict[str, Any],
        *,
        headers: dict[str, str] | None = None,
        times: int = 1,
        skip: int = 0,
        made: bool = False,
    ) -> None:
        self._failures.append(
            Failure(method, re.compile(pattern), status, body, headers or {}, times, skip, made)
        )

    def hold(self, method: str, pattern: str, until: asyncio.Event, *, skip: int = 0) -> None:
        """Answer the next matching request (after ``skip`` of them; it is in ``calls`` as it
        arrives) only once ``until`` is set: a request still on its way while the test looks at
        what else got through."""
        self._holds.append((method, re.compile(pattern), until, skip))

    async def _held(self, method: str, path: str) -> None:
        for n, (held, pattern, until, skip) in enumerate(self._holds):
            if held == method and pattern.search(path):
                if skip:
                    self._holds[n] = (held, pattern, until, skip - 1)
                    continue
                del self._holds[n]
                await until.wait()
                return

    def _failure(self, method: str, path: str) -> Failure | None:
        for failure in self._failures:
            if failure.times and failure.method == method and failure.pattern.search(path):
                if failure.skip:
                    failure.skip -= 1
                    continue
                failure.times -= 1
                return failure
        return None

    async def _body(self, req: web.Request) -> Any:
        if not req.can_read_body:
            return None
        if req.content_type.startswith("multipart/"):
            form = await req.post()
            files = [v.filename for v in form.values() if hasattr(v, "filename")]
            body = json.loads(str(form.get("payload_json", "{}")))
            return {**body, "_files": files}
        return await req.json()

    async def _rest(self, req: web.Request) -> web.Response:
        path = "/" + req.match_info["tail"]
        body = await self._body(req)
        call = Call(req.method, path, body, self.now())
        self.calls.append(call)
        await self._held(req.method, path)  # recorded as it arrived, answered when let go
        limited = self._over_global_limit(call.at)
        if limited is not None:
            call.status = 429
            return limited
        failure = self._failure(req.method, path)
        if failure is not None:
            call.status = failure.status
            if failure.made:
                self._answer(req.method, path, body)
            return J(failure.body, failure.status, {"Via": "1.1 google", **failure.headers})
        return self._answer(req.method, path, body)

    def _over_global_limit(self, now: float) -> web.Response | None:
        if self.global_limit is None:
            return None
        recent = [c.at for c in self.calls[:-1] if c.at > now - 1.0 and c.status != 429]
        if len(recent) < self.global_limit:
            return None
        retry_after = round(recent[0] + 1.0 - now, 3)
        body = {
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": True,
        }
        headers = {"Via": "1.1 google", "X-RateLimit-Global": "true", "X-RateLimit-Scope": "global"}
        return J(body, 429, headers)

    def _answer(self, method: str, path: str, body: Any) -> web.Response:
        if path == "/users/@me":
            if self.login_status != 200:
                return J({"message": "401: Unauthorized", "code": 0}, self.login_status)
            return J(BOT)
        if path == "/oauth2/applications/@me":
            return J({"id": APP, "name": "narrate-bot", "icon": None, "description": "",
                      "flags": 0, "bot_public": True, "bot_require_code_grant": False,
                      "verify_key": "00", "owner": OWNER})  # fmt: skip
        if method == "PUT" and path.endswith("/commands"):
            return J([c | {"id": str(6000 + i), "application_id": APP, "version": "1"}
                      for i, c in enumerate(body)])  # fmt: skip
        if path.endswith("/callback"):
            iid = path.split("/")[2]
            self.acked_at[iid] = self.now()
            return J({"interaction": {"id": iid, "type": 2}})
        if method == "POST" and path == "/users/@me/channels":
            rid = body["recipient_id"]
            return J({"id": "8" + str(rid), "type": 1, "last_message_id": None,
                      "recipients": [user(str(rid), f"user{rid}")]})  # fmt: skip
        if match := re.fullmatch(r"/guilds/\d+/members/(\d+)", path):
            uid = match.group(1)
            if uid in PEOPLE and uid not in self.gone:
                return J(member(PEOPLE[uid], self.roles.get(uid)))
            return J({"message": "Unknown Member", "code": 10007}, 404)
        if match := re.fullmatch(r"/channels/(\d+)/messages/(\d+)/threads", path):
            return J(self.thread(match.group(1), match.group(2), body.get("name", "")))
        if method == "DELETE" and re.fullmatch(r"/channels/\d+/messages/\d+", path):
            return web.Response(status=204)
        if method == "PATCH" and (match := re.fullmatch(r"/channels/(\d+)/messages/(\d+)", path)):
            return J(self.message(match.group(1), body or {}) | {"id": match.group(2)})
        if method == "GET" and (match := re.fullmatch(r"/channels/(\d+)", path)):
            # The channel as it is now, overwrites included, whatever the gateway said of it.
            for channel in self.guild["channels"]:
                if channel["id"] == match.group(1):
                    return J(channel)
            if (thread := self.threads.get(match.group(1))) is not None:
                return J(thread)
            return J({"message": "Unknown Channel", "code": 10003}, 404)
        if method in ("DELETE", "PATCH") and (match := re.fullmatch(r"/channels/(\d+)", path)):
            found = self.threads.get(match.group(1))
            if found is None:
                return J({"message": "Unknown Channel", "code": 10003}, 404)
            if method == "DELETE":
                return J(self.threads.pop(match.group(1)))
            found["name"] = body.get("name", found["name"])
            if "archived" in body:
                found["thread_metadata"]["archived"] = body["archived"]
            return J(found)
        if method == "GET" and (match := re.fullmatch(r"/channels/(\d+)/messages", path)):
            return J(list(reversed(self.sent.get(match.group(1), []))))  # newest first
        if match := re.fullmatch(r"/channels/(\d+)/messages", path):
            if (same := self._same_nonce(match.group(1), body)) is not None:
                return J(same)
            made = self.message(match.group(1), body) | {"nonce": body.get("nonce")}
            if body.get("nonce") is not None:
                self.nonces[(match.group(1), str(body["nonce"]))] = (made, self.now())
            self.sent.setdefault(match.group(1), []).append(made)
            return J(made)
        if path.startswith("/webhooks/") and method in ("POST", "PATCH"):
            return J(self.message(GENERAL, body or {}))
        return J({"message": f"not faked: {method} {path}", "code": 0}, 404)

    def _same_nonce(self, channel_id: str, body: dict[str, Any]) -> dict[str, Any] | None:
        """As Discord's create-message: with ``enforce_nonce``, a message the bot created in the
        past few minutes with the same nonce is returned, and no new one is created."""
        if not body.get("enforce_nonce") or body.get("nonce") is None:
            return None
        made, at = self.nonces.get((channel_id, str(body["nonce"])), (None, 0.0))
        return made if made is not None and self.now() - at < NONCE_WINDOW else None

    def message(self, channel_id: str, body: dict[str, Any], author: Any = BOT) -> dict[str, Any]:
        return {
            "id": str(next(self._ids)), "channel_id": channel_id, "author": author,
            "content": body.get("content", ""), "type": 0,
            "timestamp": "2026-11-23T09:00:00+00:00", "edited_timestamp": None, "tts": False,
            "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [],
            "embeds": body.get("embeds", []), "pinned": False,
            "components": body.get("components", []),
        }  # fmt: skip

    def thread(self, parent: str, message_id: str, name: str) -> dict[str, Any]:
        self.threads[message_id] = self._thread(parent, message_id, name)
        return self._thread(parent, message_id, name)

    def _thread(self, parent: str, message_id: str, name: str) -> dict[str, Any]:
        return {
            "id": message_id, "type": 11, "guild_id": GUILD, "parent_id": parent, "name": name,
            "owner_id": APP, "member_count": 1, "message_count": 0, "rate_limit_per_user": 0,
            "thread_metadata": {"archived": False, "auto_archive_duration": 1440,
                                "archive_timestamp": "2026-11-23T09:00:00+00:00",
                                "locked": False},
        }  # fmt: skip

    def posted(self, part: str, method: str = "POST") -> list[Call]:
        return [c for c in self.calls if c.method == method and part in c.path]

    def callbacks(self) -> list[dict[str, Any]]:
        return [c.body for c in self.posted("/callback")]

    async def answer(self, iid: str, timeout: float = 30.0) -> dict[str, Any]:
        """The initial response to interaction ``iid``, once it arrives. ``timeout`` only
        guards against a hang: a CI machine under load (20 runnable tasks on 2 cores) once
        took more than 5 s to answer an undeferred click, and the test failed for it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for call in self.posted(f"/interactions/{iid}/"):
                if call.path.endswith("/callback"):
                    return dict(call.body)
            if loop.time() > deadline:
                raise AssertionError(f"interaction {iid} got no response")
            await asyncio.sleep(0.01)

    # ------------------------------------------------------------------------------ gateway

    async def _gateway(self, req: web.Request) -> web.WebSocketResponse:
        self.ws = ws = web.WebSocketResponse()
        await ws.prepare(req)
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 45000}})
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            if frame["op"] == 1:
                await ws.send_json({"op": 11})
            elif frame["op"] == 6:  # RESUME after a dropped connection
                self.resumed += 1
                await self.dispatch("RESUMED", {})
            elif frame["op"] == 2:
                self.identify = frame["d"]
                if self.close_code is not None:
                    await ws.close(code=self.close_code, message=b"Disallowed intent(s).")
                    break
                await self.dispatch("READY", {
                    "v": 10, "user": BOT, "session_id": "s1", "shard": [0, 1],
                    "resume_gateway_url": self.ws_url,
                    "guilds": [{"id": GUILD, "unavailable": True}],
                    "application": {"id": APP, "flags": 0},
                })  # fmt: skip
                await self.dispatch("GUILD_CREATE", self.guild)
        return ws

    async def dispatch(self, name: str, data: dict[str, Any]) -> None:
        assert self.ws is not None
        await self.ws.send_json({"op": 0, "t": name, "s": next(self._seq), "d": data})

    def ids_from(self, when: datetime) -> None:
        """Mint the ids of messages and interactions from here on as Discord's snowflakes of
        ``when`` (one later each): their ``created_at`` is then ``when``, by the bot's clock,
        not 2015's (the ids counted from 7000), for tests of what an event's time decides."""
        self._ids = itertools.count(discord.utils.time_snowflake(when))

    async def interaction(
        self, kind: int, data: dict[str, Any], *, who: dict[str, Any] = ALICE,
        channel: str = GENERAL, in_guild: bool = True, admin: bool = False, **extra: Any,
    ) -> str:  # fmt: skip
        iid = str(next(self._ids))
        payload: dict[str, Any] = {
            "id": iid, "application_id": APP, "type": kind, "token": f"tok{iid}", "version": 1,
            "channel_id": channel, "locale": "en-US", "app_permissions": "8",
            "entitlements": [], "attachment_size_limit": 8388608, "data": data,
            "authorizing_integration_owners": {}, **extra,
        }  # fmt: skip
        if in_guild:
            payload["guild_id"] = GUILD
            perms = 68608 | (1 << 5 if admin else 0)  # view, send, history (+ manage server)
            payload["member"] = member(who) | {"permissions": str(perms)}
            payload["channel"] = {"id": channel, "type": 0, "guild_id": GUILD}
        else:
            payload["user"] = who
            payload["channel"] = {"id": "8" + who["id"], "type": 1}
            payload["context"] = 1
        self.sent_at[iid] = self.now()
        await self.dispatch("INTERACTION_CREATE", payload)
        return iid

    async def slash(
        self, command: str, /, *, sub: str | None = None, who: dict[str, Any] = ALICE,
        channel: str = GENERAL, admin: bool = False, **opts: Any,
    ) -> str:  # fmt: skip
        options = [{"name": k, "type": 3, "value": v} for k, v in opts.items()]
        if sub is not None:
            options = [{"name": sub, "type": 1, "options": options}]
        data = {"id": "6000", "name": command, "type": 1, "options": options}
        return await self.interaction(2, data, who=who, channel=channel, admin=admin)

    async def click(self, custom_id: str, **kw: Any) -> str:
        data = {"custom_id": custom_id, "component_type": 2}
        message = self.message(kw.get("channel", GENERAL), {"content": "prompt"})
        return await self.interaction(3, data, message=message, **kw)

    async def submit(self, custom_id: str, value: str, **kw: Any) -> str:
        data = {
            "custom_id": custom_id,
            "components": [
                {"type": 1, "components": [{"type": 4, "custom_id": "text", "value": value}]}
            ],
        }
        return await self.interaction(5, data, **kw)  # fmt: skip

    async def say(self, text: str, *, who: dict[str, Any] = ALICE, channel: str = GENERAL,
                  mentions: list[dict[str, Any]] | None = None) -> str:  # fmt: skip
        msg = self.message(channel, {"content": text}, author=who)
        msg |= {"guild_id": GUILD, "member": {k: v for k, v in member(who).items() if k != "user"},
                "mentions": mentions or []}  # fmt: skip
        await self.dispatch("MESSAGE_CREATE", msg)
        return str(msg["id"])
