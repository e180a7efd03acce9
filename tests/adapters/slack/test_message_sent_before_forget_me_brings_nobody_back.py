"""A message U2 sent before their confirmed forget-me, delivered after it
(Slack's redelivery of an event whose first try we never acked, an in-process retry, or a
replica slower than the one that ran the confirmation), leaves U2 forgotten: it used to bring
them back and re-learn every private channel of theirs, the forget-me they confirmed later undone
by what came before it."""

from __future__ import annotations

import math

from sqlmodel import select

from narrate_bot.storage.tables import TenantSetting
from tests.adapters.slack.conftest import until
from tests.adapters.slack.test_returning_person_relearns_channels import (
    _away_and_back_in,
    _channels_of,
)


async def test_a_dm_sent_before_the_forget_me_brings_nobody_back(slack, clock):
    sent_before = clock.now().timestamp() - 120  # two minutes before the confirmation
    await _away_and_back_in(slack)
    before = len(slack.fake.called("chat.postMessage"))
    dm = {
        "type": "message",
        "channel_type": "im",
        "channel": "D2",
        "user": "U2",
        "text": "who knows about vault?",
        "ts": f"{sent_before:.6f}",
    }
    status, _, _ = await slack.event(
        dm,
        "Ev-u2-dm-before-forget",
        **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    assert status == 200
    await until(lambda: len(slack.fake.called("chat.postMessage")) > before)
    await slack.adapter.drain(timeout=math.inf)

    assert slack.fake.called("users.conversations") == []
    assert "G1" not in await _channels_of(slack, "U2")
    # Answered as sent before the forget-me; their mark stays: still forgotten.
    told = slack.fake.called("chat.postMessage")[before:]
    assert any("Your forget-me went through" in str(c.params.get("text")) for c in told)
    async with slack.db.snapshot() as session:
        marks = (await session.exec(select(TenantSetting.key))).all()
    assert len([k for k in marks if k.startswith("privacy.forgotten:")]) == 1
