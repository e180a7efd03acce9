"""Answers to someone using the bot in a channel it was never invited to.

Slack lets /narrate, the *Narrate this* shortcut and ephemeral buttons work in any channel, but
refuses the bot's ``chat.postEphemeral`` there (``not_in_channel``). What the person did is kept
either way; these check that they also learn it happened: through the ``response_url`` the
shortcut or click came with, else in their own DM (a modal has no ``response_url``). A private
answer never lands in the channel, and nothing is posted there on their behalf.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from tests.adapters.slack.conftest import SlackEnv, until
from tests.adapters.slack.fake_slack import Call, FakeSlack

OUTSIDE = "C9"  # a channel the bot is not a member of


class OutsideFake(FakeSlack):
    """A FakeSlack that, like Slack, refuses the bot's posts in a channel it hasn't joined."""

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method in ("chat.postEphemeral", "chat.postMessage"):
            params = await self._params(request)
            if params.get("channel") == OUTSIDE:
                token = request.headers.get("Authorization", "").removeprefix("Bearer ")
                call = Call(method, params, token, time.monotonic(), error="not_in_channel")
                self.calls.append(call)
                return web.json_response({"ok": False, "error": "not_in_channel"})
        return await super()._api(request)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = await OutsideFake().start()
    yield server
    await server.stop()


def answers(fake: FakeSlack) -> list[str]:
    """Every private answer the person could read: response_url posts and DMs to them."""
    texts = [str(r.get("text") or "") for r in fake.responses]
    texts += [
        str(c.params.get("text") or "")
        for c in fake.calls
        if c.method in ("chat.postMessage", "chat.postEphemeral")
        and c.error is None
        and c.params.get("channel") in ("U1", "DU1")
    ]
    return texts


def answered(fake: FakeSlack, needle: str) -> bool:
    return any(needle in text for text in answers(fake))


def nothing_in_the_channel(fake: FakeSlack) -> None:
    """No message reached the channel, and none was posted for someone else."""
    for call in fake.calls:
        if call.method in ("chat.postMessage", "chat.postEphemeral") and call.error is None:
            assert call.params.get("channel") in ("U1", "DU1"), call.params.get("channel")


def shortcut(slack: SlackEnv, *, response_url: bool = True) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "type": "message_action",
        "callback_id": "narrate_this",
        "trigger_id": "t-sc",
        "team": {"id": "T1", "domain": "acme"},
        "user": {"id": "U1", "name": "alice"},
        "channel": {"id": OUTSIDE, "name": "random"},
        "message": {
            "type": "message",
            "user": "U1",
            "ts": "1763800000.000400",
            "text": "fixed the flaky ledger test",
        },
    }
    if response_url:
        payload["response_url"] = slack.fake.response_url("sc")
    return payload


async def test_narrate_this_is_confirmed_through_the_shortcuts_response_url(slack: SlackEnv):
    await slack.interaction(shortcut(slack))
    await until(lambda: answered(slack.fake, "Noted as #1"))
    assert await slack.narration_count() == 1
    nothing_in_the_channel(slack.fake)


async def test_narrate_this_without_a_response_url_is_confirmed_in_a_dm(slack: SlackEnv):
    await slack.interaction(shortcut(slack, response_url=False))
    await until(lambda: answered(slack.fake, "Noted as #1"))
    assert slack.fake.responses == []
    [refused] = [c for c in slack.fake.calls if c.method == "chat.postEphemeral"]
    assert refused.error == "not_in_channel"  # tried where they asked first, then their DM
    nothing_in_the_channel(slack.fake)


async def test_erase_everything_clicked_outside_the_bots_channels_is_confirmed(slack: SlackEnv):
    await slack.command("shipped the importer", channel=OUTSIDE, channel_name="random")
    await until(lambda: answered(slack.fake, "Noted as #1"))
    await slack.command("forget-me", channel=OUTSIDE, channel_name="random")
    await until(lambda: len(slack.fake.responses) >= 2)
    button = slack.fake.responses[1]["blocks"][-1]["elements"][0]  # "Erase everything"
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "api_app_id": "A1",
        "trigger_id": "t-b",
        "channel": {"id": OUTSIDE},
        "response_url": slack.fake.response_url("b"),
        "container": {"type": "message", "is_ephemeral": True},
        "message": {"ts": "1.1"},
        "actions": [
            {
                "action_id": button["action_id"],
                "type": "button",
                "value": button["value"],
                "block_id": "b",
                "action_ts": "2.2",
            }
        ],
    }
    await slack.interaction(payload)
    await until(lambda: answered(slack.fake, "I erased everything about you"))
    assert await slack.narration_count() == 0
    nothing_in_the_channel(slack.fake)


async def test_a_modal_sent_from_outside_the_bots_channels_is_confirmed_in_a_dm(slack: SlackEnv):
    await slack.command("", channel=OUTSIDE, channel_name="random")
    await until(lambda: slack.fake.called("views.open"))
    view = slack.fake.called("views.open")[0].params["view"]
    audience = view["blocks"][1]["element"]["options"][0]
    submission = {
        "type": "view_submission",
        "team": {"id": "T1", "domain": "acme"},
        "user": {"id": "U1", "team_id": "T1"},
        "api_app_id": "A1",
        "trigger_id": "t2",
        "view": {
            "id": "V1",
            "hash": "h1",
            "type": "modal",
            "callback_id": "narrate_form",
            "private_metadata": view["private_metadata"],
            "state": {
                "values": {
                    "text_block": {
                        "text": {"type": "plain_text_input", "value": "pairing on kafka"}
                    },
                    "audience_block": {
                        "audience": {"type": "radio_buttons", "selected_option": audience}
                    },
                }
            },
        },
    }
    await slack.interaction(submission)
    await until(lambda: answered(slack.fake, "Noted as #1"))
    assert await slack.narration_count() == 1
    [dm] = [
        c
        for c in slack.fake.called("chat.postMessage")
        if c.error is None and "Noted as #1" in str(c.params.get("text"))
    ]
    assert dm.params["channel"] == "U1"  # the person who wrote it, nobody else
    nothing_in_the_channel(slack.fake)
