"""HTTP mode: an aiohttp server in front of Bolt that checks every request before Bolt sees it.

Bolt parses the body before verifying the signature and answers 500 to a non-numeric timestamp
or an unparseable body (and logs the body at INFO on a bad signature). This guard verifies the
HMAC and the ±5 min window first, then that the body parses, so bad requests get 401/400 without
touching the app, the database or the logs. A request our database failed to authorize (OAuth
mode) gets 503, so Slack retries it.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qs

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from .app import SlackAdapter
from .store import AUTHORIZE_FAILED

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
MAX_BODY = 1_000_000  # Slack payloads are far smaller; anything bigger is not from Slack


def _parses(body: str, content_type: str) -> bool:
    try:
        if content_type == "application/json":
            return isinstance(json.loads(body), dict)
        form = parse_qs(body, strict_parsing=bool(body), max_num_fields=1000)
        if "payload" in form:
            return isinstance(json.loads(form["payload"][0]), dict)
        return bool(form)
    except ValueError:
        return False


class SlackHttpServer:
    """``/slack/events`` (commands, events, interactivity), the OAuth pages, and ``/healthz``."""

    def __init__(self, adapter: SlackAdapter, signing_secret: str) -> None:
        self.adapter = adapter
        self.verifier = SignatureVerifier(signing_secret)
        self.web = web.Application(client_max_size=MAX_BODY)
        self.web.router.add_post(EVENTS_PATH, self.events)
        self.web.router.add_get("/healthz", self.health)
        flow = adapter.bolt.oauth_flow
        if flow is not None:
            self.web.router.add_get(flow.install_path, self.install)
            self.web.router.add_get(flow.redirect_uri_path, self.oauth_redirect)

    async def events(self, request: web.Request) -> web.Response:
        raw = await request.read()
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return web.json_response({"error": "invalid request"}, status=400)
        if (
            not timestamp.isdigit()
            or not signature
            or not self.verifier.is_valid(body=body, timestamp=timestamp, signature=signature)
        ):
            log.info("rejected a slack request with a bad or missing signature")
            return web.json_response({"error": "invalid request"}, status=401)
        if not _parses(body, request.content_type):
            log.info("rejected a signed slack request whose body does not parse")
            return web.json_response({"error": "invalid request"}, status=400)
        bolt_request = AsyncBoltRequest(
            body=body,
            query=request.query_string,
            headers={k: request.headers.getall(k) for k in request.headers},
        )
        response = await self.adapter.bolt.async_dispatch(bolt_request)
        if response.status >= 500 and bolt_request.context.get(AUTHORIZE_FAILED):
            # Our database failed to say whose request it is: that may pass, so Slack retries.
            log.warning("a slack request could not be authorized; asking Slack to retry")
            return web.json_response({"error": "try again"}, status=503)
        if response.status >= 500:
            # Bolt fails this way on signed payloads missing fields it expects: the request is
            # bad, not the server, and a retry would fail again.
            log.warning("a signed slack payload could not be dispatched")
            return web.json_response(
                {"error": "invalid request"}, status=400, headers={"X-Slack-No-Retry": "1"}
            )
        return await to_aiohttp_response(response)

    async def install(self, request: web.Request) -> web.Response:
        flow = self.adapter.bolt.oauth_flow
        assert flow is not None
        return await to_aiohttp_response(
            await flow.handle_installation(await to_bolt_request(request))
        )

    async def oauth_redirect(self, request: web.Request) -> web.Response:
        flow = self.adapter.bolt.oauth_flow
        assert flow is not None
        return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))

    async def health(self, _request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def start(self, host: str, port: int) -> tuple[web.AppRunner, int]:
        """Start listening; returns the runner (to clean up) and the bound port."""
        runner = web.AppRunner(self.web, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = int(runner.addresses[0][1])
        return runner, bound
