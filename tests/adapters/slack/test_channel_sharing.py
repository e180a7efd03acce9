"""A channel shared with another organisation is treated as shared at once, not when its
lookup expires: until then a mention there would be answered in the channel, with internal
evidence, for the other organisation to read."""

from __future__ import annotations

import asyncio

from tests.adapters.slack.conftest import SlackEnv, until
from tests.adapters.slack.test_channel_kinds import _channel

MENTION = {
    "type": "app_mention",
    "user": "U2",
    "text": "<@UBOT> who knows about ledger?",
    "channel": "CPART",
}


async def _narrated_in_public(slack: SlackEnv) -> None:
    slack.fake.channels["CPUB"] = {"id": "CPUB", "name": "payments"}
    await slack.command("shipped the ledger rounding fix", channel="CPUB", channel_name="payments")
    await until(lambda: slack.fake.responses)


async def _mention(slack: SlackEnv, ts: str, event_id: str) -> None:
    await slack.event({**MENTION, "ts": ts}, event_id)


async def test_a_channel_shared_a_moment_ago_gets_answers_for_the_asker_alone(slack):
    await _narrated_in_public(slack)
    slack.fake.channels["CPART"] = {"id": "CPART", "name": "partner-launch"}
    await _mention(slack, "1763800000.000100", "Ev-internal")
    await until(lambda: slack.fake.called("chat.postMessage"))
    assert "ledger rounding" in str(slack.fake.called("chat.postMessage")[-1].params["text"])
    assert (await _channel(slack, "CPART"))[0] == "public"
    posted = len(slack.fake.called("chat.postMessage"))

    # An admin connects Acme to the channel; Slack says so.
    slack.fake.channels["CPART"] = {"id": "CPART", "name": "partner-launch", "is_ext_shared": True}
    slack.fake.members["CPART"] = ["UBOT", "U2", "UACME"]
    status, _, _ = await slack.event(
        {
            "type": "channel_shared",
            "connected_team_id": "TACME",
            "channel": "CPART",
            "event_ts": "1763800100.000100",
        },
        "Ev-shared",
    )
    assert status == 200
    kind, readers = await _wait_for_kind(slack, "CPART", "private")
    assert readers == {"UBOT", "U2", "UACME"}

    # The answer in the channel came with a private "Did this answer help?" for the asker.
    before = len(slack.fake.called("chat.postEphemeral"))
    await _mention(slack, "1763800200.000100", "Ev-after-sharing")
    await until(lambda: len(slack.fake.called("chat.postEphemeral")) > before)
    [private] = slack.fake.called("chat.postEphemeral")[before:]
    assert private.params["user"] == "U2" and "ledger rounding" in str(private.params["text"])
    assert len(slack.fake.called("chat.postMessage")) == posted  # nothing for Acme to read


async def test_a_channel_no_longer_shared_is_public_again(slack):
    slack.fake.channels["CPART"] = {"id": "CPART", "name": "partner-launch", "is_ext_shared": True}
    slack.fake.members["CPART"] = ["UBOT", "U2", "UACME"]
    await slack.command("ledger rounding plan", user="U2", channel="CPART", channel_name="x")
    await until(lambda: slack.fake.responses)
    assert (await _channel(slack, "CPART"))[0] == "private"

    slack.fake.channels["CPART"] = {"id": "CPART", "name": "partner-launch"}
    status, _, _ = await slack.event(
        {
            "type": "channel_unshared",
            "previously_connected_team_id": "TACME",
            "channel": "CPART",
            "is_ext_shared": False,
            "event_ts": "1763800300.000100",
        },
        "Ev-unshared",
    )
    assert status == 200
    await _wait_for_kind(slack, "CPART", "public")


async def _wait_for_kind(slack: SlackEnv, channel_id: str, kind: str) -> tuple[str, set[str]]:
    for _ in range(200):
        found = await _channel(slack, channel_id)
        if found[0] == kind:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"{channel_id} stayed {found[0]}, expected {kind}")
