"""Slack: a digest whose ``conversations.info`` fails for another reason than a rate limit
(a 5xx from Slack's edge, ``channel_not_found``, ``internal_error``) is built as for a shared
channel, and that guess is not stored. Slack's mock Web API through slack_sdk, the real
scheduler, real storage.

``shared_now`` answered ``True`` for such a failure and the scheduler stored it: an internal
channel stayed stored as shared after one failed lookup, its digests and introductions built
as for outsiders (and its narrations' readers narrowed) until an event there. On that code
the stored flag is ``true`` after the digest.
"""

from __future__ import annotations

import pytest

from tests.adapters.slack.conftest import SlackEnv
from tests.adapters.slack.test_digest_asks_if_shared import (
    _digest_in,
    _posted_into,
    _stored_shared,
)

FAILURES = [
    pytest.param("channel_not_found", id="channel_not_found"),
    pytest.param("internal_error", id="internal_error"),
    pytest.param((503, ""), id="503-empty"),
    pytest.param((502, "Bad Gateway"), id="502-plain"),
]


def _fail_lookups(slack: SlackEnv, how: str | tuple[int, str]) -> None:
    if isinstance(how, tuple):
        slack.fake.statuses["conversations.info"] = how
    else:
        slack.fake.failures["conversations.info"] = how


@pytest.mark.parametrize("how", FAILURES)
async def test_a_failed_lookup_counts_the_channel_shared_without_storing_it(
    slack: SlackEnv, how: str | tuple[int, str]
):
    """The internal channel's digest during the failure is built as for outsiders (nothing
    narrated there: nothing posted, where its readers would have had the payroll narration),
    and its stored flag stays unshared."""
    await _digest_in(slack, "GTEAM", "team")
    _fail_lookups(slack, how)

    assert await _posted_into(slack, "GTEAM") == []
    assert not await _stored_shared(slack, "GTEAM")
    assert [c for c in slack.fake.calls if c.method == "conversations.info" and c.error]
