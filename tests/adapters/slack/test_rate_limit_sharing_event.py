"""Slack: a ``channel_shared`` event that arrives while ``conversations.info`` is rate-limited
is applied on the careful reading (private to its members, shared), whatever is stored, through
signed HTTP into the real Bolt app, slack_sdk against the mock Web API, real storage.

Found in review of bd30d9d: such an event was applied on the STORED kind and sharing (public,
unshared), so the event saying "another organisation reads this now" was dropped. A mention
there during the block was then read from storage (public, unshared) and answered IN THE
CHANNEL with internal evidence, for the other organisation to read. On that code the who-knows
answer names the ledger narration in the channel and the channel stays stored public, unshared.
"""

from __future__ import annotations

import asyncio
import math

from tests.adapters.slack.conftest import SlackEnv, until
from tests.adapters.slack.test_long_retry_after_not_slept_on import (
    GUARD,
    close_methods,
    limiter_clock,
)
from tests.adapters.slack.test_rate_limit_keeps_events import _sent
from tests.adapters.slack.test_rate_limit_never_reads_a_guest import _stored


async def _partner_channel_known(slack: SlackEnv) -> None:
    """A public narration in #payments and a public #partner-launch, both stored unshared."""
    limiter_clock(slack.adapter.gateway, lambda: 0.0)
    slack.fake.channels["CPUB"] = {"id": "CPUB", "name": "payments"}
    slack.fake.channels["CPART"] = {"id": "CPART", "name": "partner-launch"}
    await slack.command("shipped the ledger rounding fix", channel="CPUB", channel_name="payments")
    await until(lambda: slack.fake.responses)
    await slack.command("partner launch prep", channel="CPART", channel_name="partner-launch")
    await until(lambda: len(slack.fake.responses) >= 2)
    await asyncio.wait_for(slack.adapter.drain(timeout=math.inf), GUARD)
    assert ("CPART", "public", False) in (await _stored(slack))[1]
    slack.adapter.directory.ttl = 0.0  # every event asks Slack (and is refused meanwhile)


async def test_a_channel_shared_during_a_lookup_block_gets_no_internal_answer_in_it(
    slack: SlackEnv,
):
    await _partner_channel_known(slack)
    await close_methods(slack, 2400, "conversations.info", "conversations.members")
    # An admin connects Acme to the channel; Slack says so while the lookups are closed.
    slack.fake.channels["CPART"] = {"id": "CPART", "name": "partner-launch", "is_ext_shared": True}
    slack.fake.members["CPART"] = ["UBOT", "U1", "U2", "UACME"]
    shared = {"type": "channel_shared", "connected_team_id": "TACME", "channel": "CPART"}
    assert await _sent(slack, shared | {"event_ts": "1763800100.000100"}, "Ev-shared")

    [stored] = [c for c in (await _stored(slack))[1] if c[0] == "CPART"]

    # What a person sees: a mention there during the block is not answered for Acme to read.
    posted = len(slack.fake.called("chat.postMessage"))
    mention = {"type": "app_mention", "user": "U2", "text": "<@UBOT> who knows about ledger?"}
    mention |= {"channel": "CPART", "ts": "1763800200.000100", "event_ts": "1763800200.000100"}
    assert await _sent(slack, mention, "Ev-after-sharing")
    public = [str(c.params.get("text")) for c in slack.fake.called("chat.postMessage")[posted:]]
    assert not [t for t in public if "ledger rounding" in t], public  # no leak to Acme
    assert stored == ("CPART", "private", True)  # the event was applied, not dropped


async def test_a_channel_unshared_during_a_lookup_block_stays_shared(slack: SlackEnv):
    """``channel_unshared`` under the block keeps what is stored: a shared channel stays shared
    (the careful side) until a lookup says otherwise."""
    await _partner_channel_known(slack)
    await close_methods(slack, 2400, "conversations.info", "conversations.members")
    shared = {"type": "channel_shared", "connected_team_id": "TACME", "channel": "CPART"}
    assert await _sent(slack, shared | {"event_ts": "1763800100.000100"}, "Ev-shared")
    unshared = {"type": "channel_unshared", "previously_connected_team_id": "TACME"}
    unshared |= {"channel": "CPART", "is_ext_shared": False, "event_ts": "1763800150.000100"}
    assert await _sent(slack, unshared, "Ev-unshared")

    [stored] = [c for c in (await _stored(slack))[1] if c[0] == "CPART"]
    assert stored == ("CPART", "private", True)
