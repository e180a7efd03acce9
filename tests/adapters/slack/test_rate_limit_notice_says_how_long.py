"""Slack: while a rate limit keeps the workspace closed, what a person is told says so, with the
time it still lasts, and whether what they sent was kept. Signed HTTP into the real Bolt app,
slack_sdk against the mock Web API, on the limiters' clock (``SlackGateway.monotonic``).

Found after "a long Retry-After fails the call at once": a long 429 (Slack may say an hour) is
refused at once now (``RateLimited``), but the person whose command failed on it was still told
"Please send it again in a minute", which fails as often as they try for the next 40 minutes.
And a command whose work was done but whose answer needed the closed Web API (an export's
file) said nothing at all: the person waited for a file that never came. Now the notice names
Slack's request to slow down and an honest time ("in about 40 minutes"); when nothing was kept
it says so and gives their text back, and when the work was done it says so and gives nothing
to paste, so nothing is done twice. Other failures keep their wording
(``test_failures_after_ack``).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from typing import Any

import pytest

from narrate_bot.events import Platform, TenantRef
from narrate_bot.ports import NotPosted
from narrate_bot.replies import Post
from narrate_bot_adapters.slack.gateway import SlackGateway
from narrate_bot_adapters.slack.recovery import SORRY
from tests.adapters.slack.conftest import SlackEnv
from tests.adapters.slack.test_long_retry_after_not_slept_on import close_methods

GUARD = 60.0  # far past any correct run (nothing sleeps on the 429): only against a hang
TENANT = TenantRef(platform=Platform.SLACK, tenant_id="T1")
SLOW_DOWN = "Slack has asked me to slow down"


def limiter_clock(gateway: SlackGateway, ahead: Callable[[], float]) -> None:
    """The workspace limiters' clock: real time plus ``ahead()`` seconds the test moves on.
    Limiters made before are dropped, so the next call uses it."""
    gateway.monotonic = lambda: time.monotonic() + ahead()
    gateway.limiters.clear()


async def _close_the_workspace(slack: SlackEnv, seconds: float, *methods: str) -> None:
    """Slack answers one post with a 429 of ``seconds``, and one call of each of ``methods``:
    each stays closed that long, for every sender (nothing moves the limiters' clock on in these
    tests)."""
    gateway = slack.adapter.gateway
    limiter_clock(gateway, lambda: 0.0)
    slack.fake.rate_limit_once["chat.postMessage"] = seconds
    with pytest.raises(NotPosted):
        await asyncio.wait_for(gateway.post(TENANT, Post(text="a prompt", channel_id="C2")), GUARD)
    await close_methods(slack, seconds, *methods)


async def _command(slack: SlackEnv, text: str) -> list[dict[str, Any]]:
    """``/narrate <text>``, acked, and what reached the person's ``response_url`` once its work
    is over (waited for, not timed)."""
    before = len(slack.fake.responses)
    status, _, _ = await asyncio.wait_for(slack.command(text), GUARD)
    assert status == 200
    await asyncio.wait_for(slack.adapter.drain(timeout=math.inf), GUARD)
    return slack.fake.responses[before:]


def _plain(said: dict[str, Any]) -> list[str]:
    """The plain-text sections of a message: what is given back exactly as typed."""
    return [
        b["text"]["text"]
        for b in said.get("blocks") or []
        if b.get("type") == "section" and b["text"]["type"] == "plain_text"
    ]


@pytest.mark.parametrize(
    ("seconds", "when"),
    [
        (45, "in a minute"),
        (2400, "in about 40 minutes"),
        (5400, "in about an hour and a half"),
    ],
)
async def test_a_command_refused_by_the_rate_limit_says_how_long_and_that_nothing_was_kept(
    slack: SlackEnv, monkeypatch: pytest.MonkeyPatch, seconds: float, when: str
):
    """A step of the command's work that lets Slack's refusal through (a ``users.list`` read,
    as the departures check makes) fails it: nothing is kept, and the person hears why, when
    to try again, and what they wrote."""
    gateway = slack.adapter.gateway
    real = slack.adapter.bot.handle

    async def reads_slack_first(event: Any) -> Any:
        await gateway.deactivated(TENANT, ["U1"])  # refused at once while the block lasts
        return await real(event)

    monkeypatch.setattr(slack.adapter.bot, "handle", reads_slack_first)
    slack.adapter.retry_delays = (0.0, 0.0)
    await _close_the_workspace(slack, seconds, "users.list")
    before = len(slack.fake.calls)

    [said] = await _command(slack, "shipped the ledger importer")

    assert said["response_type"] == "ephemeral"  # to them only, where they typed it
    assert SLOW_DOWN in said["text"]
    assert f"Please send it again {when}." in said["text"]
    assert "nothing was kept" in said["text"]
    assert SORRY not in said["text"]  # not the promise of a minute, unless it is one
    assert any("/narrate shipped the ledger importer" in block for block in _plain(said))
    assert await slack.narrations() == []  # and truly nothing was kept
    # The closed method reached Slack no more (the command's lookups are other methods).
    assert "users.list" not in [c.method for c in slack.fake.calls[before:]]


async def test_an_export_whose_file_waits_for_the_rate_limit_is_told_to_ask_again_then(
    slack: SlackEnv,
):
    """The export was made, its first line answered at the ``response_url``; its file needs
    the Web API, closed for 40 minutes. The person is told so there, and that nothing is lost,
    with nothing to paste back."""
    [noted] = await _command(slack, "shipped the ledger importer")
    assert "Noted as #1" in noted["text"]
    await _close_the_workspace(slack, 2400, "conversations.open", "files.uploadV2")

    said = await _command(slack, "export")

    assert [s["response_type"] for s in said] == ["ephemeral", "ephemeral"]
    assert "Here is everything I store about you" in said[0]["text"]
    assert SLOW_DOWN in said[1]["text"]
    assert "couldn't send you all of my answer" in said[1]["text"]
    assert "What you asked was done, and nothing is lost" in said[1]["text"]
    assert "in about 40 minutes" in said[1]["text"]
    assert _plain(said[1]) == []  # nothing to send again
    assert [n.text for n in await slack.narrations()] == ["shipped the ledger importer"]
