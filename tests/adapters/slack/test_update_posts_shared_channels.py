"""A form update is never posted in a prompt's thread in a Slack channel shared with another
organisation (Slack Connect), through the real Bolt app and slack_sdk against the fake Web API.

#team was shared with a partner after its prompt went out. Before, the modal's update was
posted in the prompt's thread, where the other organisation reads it ("Posted in the prompt's
thread in #team"). Now nothing is posted (Slack is also asked, ``conversations.info``, right
before posting), the author is told and the update is kept; once Slack says #team is internal
again, updates are posted.
"""

from __future__ import annotations

from sqlmodel import select

from narrate_bot.storage.tables import Channel
from tests.adapters.slack.conftest import SlackEnv
from tests.adapters.slack.test_update_posts import TENANT_WIDE, _posted_in, _prompt_ts, _submit


async def _stored_shared(slack: SlackEnv) -> bool:
    async with slack.adapter.bot.db.transaction() as session:
        found = await session.exec(select(Channel).where(Channel.channel_id == "C1"))
        return found.one().shared


async def test_a_channel_shared_since_the_prompt_gets_no_post(slack):
    thread = await _prompt_ts(slack)
    assert not await _stored_shared(slack)
    slack.fake.channels["C1"]["is_ext_shared"] = True
    slack.fake.members["C1"] = ["U1", "UPARTNER"]
    told = await _submit(slack, "salary bands for the acme deal", TENANT_WIDE)
    assert "Noted as #1, readable by everyone in this workspace." in told
    assert (
        "Not posted in #team's thread: it's shared with another organisation. Your update is "
        "kept." in told
    )
    assert "Posted in the prompt's thread" not in told
    assert _posted_in(slack, thread) == []
    assert "salary bands" not in str(slack.fake.called("chat.postMessage"))
    assert any(c.params.get("channel") == "C1" for c in slack.fake.called("conversations.info"))
    assert await _stored_shared(slack)
    [narration] = await slack.narrations()
    assert narration.text == "salary bands for the acme deal"

    slack.fake.channels["C1"]["is_ext_shared"] = False
    told = await _submit(slack, "fixed the invoice export")
    assert "Posted in the prompt's thread in #team." in told
    [post] = _posted_in(slack, thread)
    assert "fixed the invoice export" in post["text"]
    assert not await _stored_shared(slack)
