"""Coverage: nothing but U2's own use of the bot starts re-learning their private channels."""

from __future__ import annotations

import math

from tests.adapters.slack.conftest import until
from tests.adapters.slack.test_returning_person_relearns_channels import (
    _away_and_back_in,
    _channels_of,
    _event,
    _narrated,
    _said,
)


async def test_others_actions_and_keep_forgotten_commands_relearn_nothing(slack):
    await _away_and_back_in(slack)
    # Someone else's command in #vault, where Slack lists U2 (readers re-read before it).
    await _narrated(slack, "U1", "and the vault audit log", "G1", "vault")
    # Slack tells of U2 joining #ledger again (another event id: a second join).
    joined = {"type": "member_joined_channel", "user": "U2", "channel": "G2", "channel_type": "G"}
    await _event(slack, joined, "Ev-u2-joins-ledger-again")
    # The same join redelivered (Slack's retry of an old event).
    await _event(slack, joined, "Ev-u2-joins-ledger-again")
    # U2's own commands that keep them forgotten.
    for text in ("export", "help", "forget-me"):
        await _said(slack, text, "U2", channel="C5", channel_name="general")
    await _said(slack, "forget-me", "U2", channel="G1", channel_name="vault")
    home = {"type": "app_home_opened", "user": "U2", "channel": "D2", "tab": "home"}
    status, _, _ = await slack.event(home, "Ev-u2-home")
    assert status == 200
    await until(lambda: bool(slack.fake.called("views.publish")))
    await slack.adapter.drain(timeout=math.inf)

    assert slack.fake.called("users.conversations") == []
    assert await _channels_of(slack, "U2") == set()
