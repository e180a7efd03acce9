"""Socket Mode: Slack pushes payloads over a websocket the bot opens (no public URL needed).

The websocket is authenticated by the app-level token, so there is no request signature to
check; Bolt's handler acks each envelope after our listeners' ``ack()``.
"""

from __future__ import annotations

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from .app import SlackAdapter


def socket_handler(adapter: SlackAdapter, app_token: str) -> AsyncSocketModeHandler:
    """A handler using the app's client, so ``NARRATE_SLACK__API_URL`` applies to it too."""
    return AsyncSocketModeHandler(adapter.bolt, app_token=app_token)
