"""A loopback Slack: Web API, response_url, file uploads and the Socket Mode websocket.

It records every call with its time and token, answers with Slack's documented shapes, and can
be told to be slow or to rate-limit (429 + Retry-After) so the adapter's behaviour is visible.
Like Slack, it answers ``missing_scope`` to a method the token wasn't granted a scope for: by
default every token has exactly the scopes ``adapters/slack/manifest.yaml`` asks for (what an
admin installing the app grants); an OAuth install gets the ``scope`` its oauth.v2.access said.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import yaml
from aiohttp import WSMsgType, web

MANIFEST = Path(__file__).resolve().parents[3] / "adapters" / "slack" / "manifest.yaml"


def manifest_scopes() -> set[str]:
    """The bot scopes an admin grants when installing the app from its manifest."""
    return set(yaml.safe_load(MANIFEST.read_text())["oauth_config"]["scopes"]["bot"])


# The bot-token scopes each method needs (docs.slack.dev, each method's "Scopes"). The
# conversation methods need the one for the conversation's type (``_needed``).
SCOPES = {
    "chat.postMessage": "chat:write",
    "chat.postEphemeral": "chat:write",
    "chat.delete": "chat:write",
    "chat.update": "chat:write",
    "users.info": "users:read",
    "users.list": "users:read",
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
}
READ_SCOPE = {
    "im": "im:read",
    "mpim": "mpim:read",
    "private": "groups:read",
    "public": "channels:read",
}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    token: str
    at: float
    status: int = 200
    error: str | None = None  # the Slack error code it was answered with (``failures``)


_USER = re.compile(r"<@(?P<id>[UW][A-Z0-9]+)(?:\|[^<>]*)?>")
_CHANNEL = re.compile(r"<#(?P<id>[CGD][A-Z0-9]+)(?:\|[^<>]*)?>")
_SPECIAL = re.compile(r"<!(?P<what>here|channel|everyone|subteam\^[A-Z0-9]+)(?:\|[^<>]*)?>")
_LINK = re.compile(r"<(?P<url>(?:https?|mailto):[^<>|]*)(?:\|[^<>]*)?>")
# What Slack links by itself in a mrkdwn text object without ``verbatim`` ("automatic parsing").
_AUTO_SPECIAL = re.compile(r"(?<![\w@])@(?P<what>here|channel|everyone)\b")
_AUTO_CHANNEL = re.compile(r"(?<![\w#&])#(?P<name>[a-z0-9][a-z0-9_\-]*)")


# Slack refuses a message whose blocks' text adds up to more than about 13,200 characters
# (``msg_blocks_too_long``; undocumented, measured in slackapi/bolt-js#2509). The fake refuses
# a little earlier, so a message that passes here passes there.
BLOCKS_TEXT_LIMIT = 12_000


def blocks_problem(params: dict[str, Any]) -> str | None:
    """The error Slack would answer a message's blocks with, or ``None`` when it takes them."""
    blocks = params.get("blocks") or []
    if len(blocks) > 50:
        return "invalid_blocks"
    for block in blocks:
        text = (block.get("text") or {}).get("text")
        if block.get("type") == "section" and isinstance(text, str) and len(text) > 3000:
            return "invalid_blocks"
    total = sum(len(text) for _, _, text in _texts(blocks))
    return "msg_blocks_too_long" if total > BLOCKS_TEXT_LIMIT else None


def _texts(node: Any) -> list[tuple[str, bool, str]]:
    """(type, verbatim, text) of every text object under ``node``."""
    found: list[tuple[str, bool, str]] = []
    if isinstance(node, dict):
        kind, text = node.get("type"), node.get("text")
        if kind in ("mrkdwn", "plain_text") and isinstance(text, str):
            found.append((kind, bool(node.get("verbatim")), text))
        for value in node.values():
            found += _texts(value)
    elif isinstance(node, list):
        for value in node:
            found += _texts(value)
    return found


@dataclass
class Markup:
    """What a message's readers would see as live: who is notified, what is a link."""

    people: set[str] = field(default_factory=set)  # user ids notified (live user mentions)
    broadcasts: set[str] = field(default_factory=set)  # here / channel / everyone / subteam^S1
    channels: set[str] = field(default_factory=set)  # channel ids or auto-linked #names
    links: set[str] = field(default_factory=set)  # URLs of links, whatever their label


def markup(params: dict[str, Any]) -> Markup:
    """Read a chat.postMessage (or response_url) payload as Slack would render it: the
    notification ``text`` and every mrkdwn text object in its blocks (plain_text has none)."""
    found = Markup()
    texts = [(True, str(params.get("text") or ""))]
    texts += [(v, t) for kind, v, t in _texts(params.get("blocks") or []) if kind == "mrkdwn"]
    for verbatim, text in texts:
        found.people |= {m["id"] for m in _USER.finditer(text)}
        found.channels |= {m["id"] for m in _CHANNEL.finditer(text)}
        found.broadcasts |= {m["what"] for m in _SPECIAL.finditer(text)}
        found.links |= {m["url"] for m in _LINK.finditer(text)}
        if not verbatim:
            found.broadcasts |= {m["what"] for m in _AUTO_SPECIAL.finditer(text)}
            found.channels |= {m["name"] for m in _AUTO_CHANNEL.finditer(text)}
    return found


def shown(params: dict[str, Any]) -> str:
    """The blocks' text as a reader sees it, entities decoded (markup left as written)."""
    parts = [
        text if kind == "plain_text" else _decoded(text)
        for kind, _, text in _texts(params.get("blocks") or [])
    ]
    return "\n".join(parts)


def _decoded(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@dataclass
class FakeSlack:
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)
    envelopes: list[dict[str, Any]] = field(default_factory=list)
    # Envelopes for the n-th websocket connection only (0-based), sent after ``envelopes``.
    envelopes_on: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    delays: dict[str, float] = field(default_factory=dict)
    # method -> answered only once the event is set: Slack slower than anything else in a test
    holds: dict[str, asyncio.Event] = field(default_factory=dict)
    rate_limit_once: dict[str, float] = field(default_factory=dict)  # method -> Retry-After
    rate_limited: dict[str, float] = field(default_factory=dict)  # the same, until removed
    failures: dict[str, str] = field(default_factory=dict)  # method -> Slack error code
    # method -> (calls still answered normally, then the Slack error code for every later one)
    failures_after: dict[str, tuple[int, str]] = field(default_factory=dict)
    # method -> (an HTTP status, its body) with no Slack error code: a 5xx from Slack's edge,
    # with an empty or plain body, or JSON that names no error
    statuses: dict[str, tuple[int, str]] = field(default_factory=dict)
    oauth_responses: list[dict[str, Any]] = field(default_factory=list)
    # token -> the scopes Slack granted it; other tokens have ``default_scopes``.
    granted: dict[str, set[str]] = field(default_factory=dict)
    default_scopes: set[str] = field(default_factory=manifest_scopes)
    calls: list[Call] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)  # posts to response_url
    uploads: list[bytes] = field(default_factory=list)
    upload_status: int = 200  # what the file upload URL answers (files.uploadV2's step 2)
    acks: list[dict[str, Any]] = field(default_factory=list)
    # When each call arrived (``Call.at``): a test that runs the gateway's limiter on a clock of
    # its own gives the fake the same one.
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        self._ts = itertools.count(1)
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{id}", self._respond)
        app.router.add_post("/upload/{id}", self._upload)
        app.router.add_get("/link", self._ws)
        self.runner = web.AppRunner(app, access_log=None)
        self.port = 0
        self.sockets: list[web.WebSocketResponse] = []

    async def start(self) -> FakeSlack:
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self.runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        for ws in self.sockets:
            await ws.close()
        await self.runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "x") -> str:
        return f"http://127.0.0.1:{self.port}/respond/{name}"

    def methods(self) -> list[str]:
        return [c.method for c in self.calls if c.method != "auth.test"]

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.status == 200]

    async def _params(self, request: web.Request) -> dict[str, Any]:
        raw = await request.text()
        if request.content_type == "application/json":
            params: dict[str, Any] = json.loads(raw or "{}")
        else:
            params = {k: v[0] for k, v in parse_qs(raw).items()}
        params.update(request.query)
        for key in ("view", "blocks"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        call = Call(method=method, params=params, token=token, at=self.clock())
        self.calls.append(call)
        if method in self.delays:
            await asyncio.sleep(self.delays[method])
        if method in self.holds:
            await self.holds[method].wait()
        if method in self.rate_limit_once or method in self.rate_limited:
            retry = self.rate_limit_once.pop(method, None) or self.rate_limited[method]
            call.status = 429
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(int(retry))},
            )
        if method in self.statuses:
            status, body = self.statuses[method]
            call.error = str(status)
            kind = "application/json" if body.startswith("{") else "text/plain"
            return web.Response(status=status, text=body, content_type=kind)
        if method in self.failures_after:
            left, code = self.failures_after[method]
            if left > 0:
                self.failures_after[method] = (left - 1, code)
            else:
                call.error = code
                return web.json_response({"ok": False, "error": code})
        if method in self.failures:
            call.error = self.failures[method]
            return web.json_response({"ok": False, "error": self.failures[method]})
        needed = self._needed(method, params)
        provided = self.granted.get(token, self.default_scopes)
        if needed is not None and needed not in provided:
            call.error = "missing_scope"
            return web.json_response(
                {
                    "ok": False,
                    "error": "missing_scope",
                    "needed": needed,
                    "provided": ",".join(sorted(provided)),
                }
            )
        if method.startswith("chat.") and (problem := blocks_problem(params)) is not None:
            call.error = problem
            return web.json_response({"ok": False, "error": problem})
        # Slack lists the token's scopes on every Web API answer (Bolt reads them off auth.test).
        return web.json_response(
            {"ok": True, **self._answer(method, params)},
            headers={"X-OAuth-Scopes": ",".join(sorted(provided))},
        )

    def _needed(self, method: str, params: dict[str, Any]) -> str | None:
        """The scope ``method`` needs here, or ``None`` when it needs none (auth.test, views.*,
        chat.getPermalink, oauth.v2.access, apps.connections.open)."""
        if method == "conversations.open":
            users = [u for u in str(params.get("users", "")).split(",") if u]
            return "mpim:write" if len(users) > 1 else "im:write"
        if method in ("conversations.info", "conversations.members"):
            return READ_SCOPE[self._kind(str(params.get("channel", "")))]
        if method == "users.conversations":
            # Each type asked for needs its read scope; the fake checks the first one's.
            return READ_SCOPE[self._types(params)[0]]
        return SCOPES.get(method)

    @staticmethod
    def _types(params: dict[str, Any]) -> list[str]:
        """``users.conversations``' ``types``, as ``_kind`` names them (public by default)."""
        named = str(params.get("types") or "public_channel").split(",")
        kinds = {"public_channel": "public", "private_channel": "private"}
        return [kinds.get(t.strip(), t.strip()) for t in named if t.strip()]

    def _kind(self, channel_id: str) -> str:
        known = self.channels.get(channel_id, {})
        if known.get("is_im") or (not known and channel_id.startswith("D")):
            return "im"
        if known.get("is_mpim"):
            return "mpim"
        if known.get("is_private") or (not known and channel_id.startswith("G")):
            return "private"
        return "public"

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        match method:
            case "auth.test":
                return {
                    "user_id": "UBOT",
                    "bot_id": "BBOT",
                    "team_id": "T1",
                    "team": "Acme",
                    "url": "https://acme.slack.com/",
                }
            case "users.list":
                listed = sorted(self.users)
                start = int(params.get("cursor") or 0)
                end = start + int(params.get("limit") or 0 or len(listed) or 1)
                return {
                    "members": [self.users[u] for u in listed[start:end]],
                    "response_metadata": {"next_cursor": str(end) if end < len(listed) else ""},
                }
            case "users.info":
                uid = params["user"]
                return {"user": self.users.get(uid, {"id": uid, "name": uid.lower()})}
            case "conversations.info":
                cid = params["channel"]
                return {"channel": self.channels.get(cid, {"id": cid, "name": cid.lower()})}
            case "conversations.members":
                return {
                    "members": self.members.get(params["channel"], []),
                    "response_metadata": {"next_cursor": ""},
                }
            case "users.conversations":
                # Like Slack with a bot token: a private conversation is listed only when the
                # bot is in it too. Paged by ``limit`` and an offset cursor.
                uid, kinds = params.get("user") or "UBOT", self._types(params)
                listed = sorted(
                    cid
                    for cid, members in self.members.items()
                    if uid in members
                    and (self._kind(cid) == "public" or "UBOT" in members)
                    and self._kind(cid) in kinds
                )
                start = int(params.get("cursor") or 0)
                end = start + int(params.get("limit") or 100)
                return {
                    "channels": [
                        self.channels.get(cid, {"id": cid, "name": cid.lower()})
                        for cid in listed[start:end]
                    ],
                    "response_metadata": {"next_cursor": str(end) if end < len(listed) else ""},
                }
            case "conversations.open":
                return {"channel": {"id": "D" + str(params["users"]).replace(",", "")}}
            case "chat.postMessage":
                return {"channel": params.get("channel"), "ts": f"1700000000.{next(self._ts):06d}"}
            case "chat.delete" | "chat.update":
                return {"channel": params.get("channel"), "ts": params.get("ts")}
            case "chat.getPermalink":
                ts = str(params["message_ts"]).replace(".", "")
                return {"permalink": f"https://acme.slack.com/archives/{params['channel']}/p{ts}"}
            case "files.getUploadURLExternal":
                return {"upload_url": f"http://127.0.0.1:{self.port}/upload/F1", "file_id": "F1"}
            case "files.completeUploadExternal":
                return {"files": [{"id": "F1", "title": "export"}]}
            case "apps.connections.open":
                return {"url": f"ws://127.0.0.1:{self.port}/link"}
            case "oauth.v2.access":
                answer = self.oauth_responses.pop(0) if self.oauth_responses else {}
                if "access_token" in answer and "scope" in answer:
                    self.granted[answer["access_token"]] = set(answer["scope"].split(","))
                return answer
        return {}

    async def _respond(self, request: web.Request) -> web.Response:
        self.responses.append(json.loads(await request.text()))
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        body = await request.read()
        if self.upload_status != 200:
            return web.Response(status=self.upload_status, text="upload failed")
        self.uploads.append(body)
        return web.Response(text="OK")

    async def _ws(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1})
        for envelope in self.envelopes + self.envelopes_on.get(len(self.sockets) - 1, []):
            await ws.send_json(envelope)
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                self.acks.append(json.loads(msg.data))
        return ws
