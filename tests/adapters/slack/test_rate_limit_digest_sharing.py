"""Slack: a digest built while ``conversations.info`` is rate-limited counts its channel as
shared (the core's "when the platform can't say, the channel counts as shared"), without
storing that guess. Slack's mock Web API through slack_sdk, the real scheduler, real storage.

Found in review of 22ad6af: ``shared_now`` answered the STORED flag during a block, and the
stored flag is exactly what the digest's ask exists to distrust: a channel shared with another
organisation since, stored unshared, got the workspace's public work in its digest for them to
read while the block lasted (only ``conversations.info`` is closed, ``chat.postMessage`` is
open). On that code the first test's digest lists the payroll narration. Before 22ad6af the
careful answer was stored, so an internal channel stayed stored as shared after the block.
"""

from __future__ import annotations

from tests.adapters.slack.conftest import SlackEnv
from tests.adapters.slack.test_digest_asks_if_shared import (
    _digest_in,
    _posted_into,
    _stored_shared,
)
from tests.adapters.slack.test_long_retry_after_not_slept_on import close_methods, limiter_clock


async def test_a_digest_during_a_lookup_block_shows_no_internal_work_to_outsiders(
    slack: SlackEnv,
):
    await _digest_in(slack, "CPART", "partner")
    slack.fake.channels["CPART"]["is_ext_shared"] = True  # no channel_shared event came
    limiter_clock(slack.adapter.gateway, lambda: 0.0)
    await close_methods(slack, 2400, "conversations.info")

    posted = await _posted_into(slack, "CPART")

    # As for a shared channel (``test_digest_asks_if_shared``): a quiet week, nothing posted.
    assert posted == []


async def test_an_internal_channel_counted_shared_during_a_block_is_not_stored_shared(
    slack: SlackEnv,
):
    """The internal channel's digest during the block is built as for outsiders (nothing
    narrated there: nothing posted), and its stored flag is left as it was: no guess made under
    the limit is kept."""
    await _digest_in(slack, "GTEAM", "team")
    limiter_clock(slack.adapter.gateway, lambda: 0.0)
    await close_methods(slack, 2400, "conversations.info")

    assert await _posted_into(slack, "GTEAM") == []
    assert not await _stored_shared(slack, "GTEAM")
