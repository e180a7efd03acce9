"""Slack: a channel lookup that fails (a 5xx, ``channel_not_found``, ``internal_error``) is no
answer about the channel, and no guess is stored over what is known. Signed HTTP into the real
Bolt app, slack_sdk against the mock Web API, real storage.

Found in review: ``Directory.where`` answered a failed ``conversations.info`` with "private and
shared", and the event was stored so: one failed lookup during a mention in internal public
#payments left it stored private and shared until a later lookup, and what was narrated there
stopped showing to the colleagues who read it. Now the stored row stands. A channel never seen
is read private and shared for that event only (nothing from elsewhere is posted there for
outsiders), and the first lookup that answers overwrites that reading.

``channel_not_found`` is no transient failure, though: it mostly means the bot can no longer see
the channel, deleted or made private without the bot in it (the convert event never reaches a
bot that isn't a member). Keeping a stored "public" then showed what was narrated in a channel
now private to the whole workspace; the channel is narrowed to private instead, read only by
whom ``conversations.members`` lists, never widened.
"""

from __future__ import annotations

import asyncio
import math

import pytest

from tests.adapters.slack.conftest import SlackEnv, until
from tests.adapters.slack.test_rate_limit_keeps_events import _sent
from tests.adapters.slack.test_rate_limit_never_reads_a_guest import GUARD, _stored

LEDGER = "shipped the ledger rounding fix"
FAILURES = {
    "503": ("status", (503, "")),
    "channel_not_found": ("failure", "channel_not_found"),
    "internal_error": ("failure", "internal_error"),
    # A code the adapter has no word for (Grid, EKM…) must fail closed like channel_not_found.
    "team_access_not_granted": ("failure", "team_access_not_granted"),
}


def _fail_lookups(slack: SlackEnv, how: str) -> None:
    kind, value = FAILURES[how]
    if kind == "status":
        slack.fake.statuses["conversations.info"] = value  # type: ignore[assignment]
    else:
        slack.fake.failures["conversations.info"] = value  # type: ignore[assignment]


def _lookups_answer(slack: SlackEnv) -> None:
    slack.fake.statuses.pop("conversations.info", None)
    slack.fake.failures.pop("conversations.info", None)


async def _said(slack: SlackEnv, text: str, user: str, channel: str, name: str) -> str:
    before = len(slack.fake.responses)
    status, _, _ = await asyncio.wait_for(
        slack.command(text, user=user, channel=channel, channel_name=name), GUARD
    )
    assert status == 200
    await until(lambda: len(slack.fake.responses) > before)
    await asyncio.wait_for(slack.adapter.drain(timeout=math.inf), GUARD)
    return "\n".join(str(said.get("text", "")) for said in slack.fake.responses[before:])


async def _mentioned(slack: SlackEnv, user: str, channel: str, text: str, ts: str) -> list[str]:
    """An app mention in ``channel``; what was posted in that channel for everyone to read."""
    posted = len(slack.fake.called("chat.postMessage"))
    event = {"type": "app_mention", "user": user, "text": f"<@UBOT> {text}", "channel": channel}
    event |= {"ts": ts, "event_ts": ts}
    assert await _sent(slack, event, f"Ev-{channel}-{ts}")
    return [
        str(call.params.get("text"))
        for call in slack.fake.called("chat.postMessage")[posted:]
        if call.params.get("channel") == channel
    ]


TRANSIENT = ("503", "internal_error")


@pytest.mark.parametrize("how", TRANSIENT)
async def test_a_mention_whose_lookup_fails_keeps_the_channel_as_stored(slack: SlackEnv, how: str):
    slack.fake.channels["CPUB"] = {"id": "CPUB", "name": "payments", "is_channel": True}
    slack.fake.members["CPUB"] = ["UBOT", "U1"]
    assert "Noted" in await _said(slack, LEDGER, "U1", "CPUB", "payments")
    assert ("CPUB", "public", False) in (await _stored(slack))[1]
    slack.adapter.directory.ttl = 0.0  # every payload asks Slack

    _fail_lookups(slack, how)
    await _mentioned(slack, "U1", "CPUB", "who knows about kafka?", "1763800100.000100")
    _lookups_answer(slack)

    # Stored as it was, not as the careful guess (private, shared, U1 its only reader) ...
    assert ("CPUB", "public", False) in (await _stored(slack))[1]
    # ... so a colleague who reads public #payments still finds what was narrated there.
    assert "ledger rounding" in await _said(slack, "who ledger", "U3", "C1", "general")


async def test_a_channel_never_seen_whose_lookup_fails_gets_nothing_internal(slack: SlackEnv):
    slack.fake.channels["CPUB"] = {"id": "CPUB", "name": "payments", "is_channel": True}
    assert "Noted" in await _said(slack, LEDGER, "U1", "CPUB", "payments")
    slack.adapter.directory.ttl = 0.0
    # #partner-launch is a Slack Connect channel (Acme reads it), never seen before.
    slack.fake.channels["CPART"] = {"id": "CPART", "name": "partner-launch", "is_ext_shared": True}
    slack.fake.members["CPART"] = ["UBOT", "U1", "U2", "UACME"]

    _fail_lookups(slack, "503")
    public = await _mentioned(slack, "U2", "CPART", "who knows about ledger?", "1763800200.0001")

    assert not [text for text in public if "ledger rounding" in text], public  # Acme reads it
    assert ("CPART", "private", True) in (await _stored(slack))[1]  # for that event only:

    # Once Slack answers, it says what the channel is, over the careful reading.
    _lookups_answer(slack)
    slack.fake.channels["CPART"] = {"id": "CPART", "name": "partner-launch", "is_channel": True}
    await _mentioned(slack, "U2", "CPART", "who knows about kafka?", "1763800300.000100")
    assert ("CPART", "public", False) in (await _stored(slack))[1]


async def test_channel_shared_whose_lookup_fails_is_read_as_shared_whatever_is_stored(
    slack: SlackEnv,
):
    """``channel_shared`` says another organisation reads the channel now: a failed lookup
    keeps no stored "public, unshared" over it, and no internal answer is posted there."""
    slack.fake.channels["CPUB"] = {"id": "CPUB", "name": "payments", "is_channel": True}
    assert "Noted" in await _said(slack, LEDGER, "U1", "CPUB", "payments")
    slack.fake.channels["CPART"] = {"id": "CPART", "name": "partner-launch", "is_channel": True}
    assert "Noted" in await _said(slack, "partner launch prep", "U1", "CPART", "partner-launch")
    assert ("CPART", "public", False) in (await _stored(slack))[1]
    slack.adapter.directory.ttl = 0.0

    _fail_lookups(slack, "503")
    shared = {"type": "channel_shared", "connected_team_id": "TACME", "channel": "CPART"}
    assert await _sent(slack, shared | {"event_ts": "1763800100.000100"}, "Ev-shared")

    assert ("CPART", "private", True) in (await _stored(slack))[1]
    public = await _mentioned(slack, "U2", "CPART", "who knows about ledger?", "1763800200.0001")
    assert not [text for text in public if "ledger rounding" in text], public


@pytest.mark.parametrize("how", ["channel_not_found", "team_access_not_granted"])
async def test_a_mention_in_a_channel_the_bot_cannot_see_narrows_it_to_private(
    slack: SlackEnv, how: str
):
    slack.fake.channels["CPUB"] = {"id": "CPUB", "name": "payments", "is_channel": True}
    slack.fake.members["CPUB"] = ["UBOT", "U1", "U2"]
    assert "Noted" in await _said(slack, LEDGER, "U1", "CPUB", "payments")
    assert ("CPUB", "public", False) in (await _stored(slack))[1]
    slack.adapter.directory.ttl = 0.0

    _fail_lookups(slack, how)
    await _mentioned(slack, "U1", "CPUB", "who knows about kafka?", "1763800100.000100")

    assert ("CPUB", "private", False) in (await _stored(slack))[1]  # narrowed, never shared
    # U3 doesn't read the channel (conversations.members): what was narrated there is hidden.
    assert "ledger rounding" not in await _said(slack, "who ledger", "U3", "C1", "general")
    assert "ledger rounding" in await _said(slack, "who ledger", "U2", "C1", "general")


async def test_a_command_from_a_channel_made_private_behind_the_bots_back_is_private(
    slack: SlackEnv,
):
    """#payments was stored public; an admin made it private without the bot in it, so no
    convert event came and ``conversations.info`` now says ``channel_not_found``. A narration
    sent from it is read only by its members, not by the whole workspace."""
    slack.fake.channels["CPUB"] = {"id": "CPUB", "name": "payments", "is_channel": True}
    slack.fake.members["CPUB"] = ["UBOT", "U1", "U2", "U3"]
    assert "Noted" in await _said(slack, "payments standup prep", "U1", "CPUB", "payments")
    assert ("CPUB", "public", False) in (await _stored(slack))[1]
    slack.adapter.directory.ttl = 0.0

    slack.fake.members["CPUB"] = ["U1", "U2"]  # private now; U3 and the bot aren't in it
    _fail_lookups(slack, "channel_not_found")
    assert "Noted" in await _said(slack, LEDGER, "U1", "CPUB", "payments")

    assert ("CPUB", "private", False) in (await _stored(slack))[1]
    assert "ledger rounding" not in await _said(slack, "who ledger", "U3", "C1", "general")
    assert "ledger rounding" in await _said(slack, "who ledger", "U2", "C1", "general")
