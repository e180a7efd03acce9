"""``/narrate ask-channel withdraw`` deletes the question's post with chat.delete;
``answered`` leaves it (its thread holds the answer)."""

from __future__ import annotations

from tests.adapters.slack.conftest import SlackEnv, until


async def _said(slack: SlackEnv, text: str) -> str:
    before = len(slack.fake.responses)
    await slack.command(text)
    await until(lambda: len(slack.fake.responses) > before)
    return str(slack.fake.responses[-1]["text"])


async def test_withdraw_deletes_the_post_and_answered_does_not(slack):
    slack.fake.channels["CQ"] = {"id": "CQ", "name": "questions"}
    await slack.command("questions-channel here", user="U2", channel="CQ", channel_name="questions")
    await until(lambda: slack.fake.responses)
    await _said(slack, "ask-channel <#CQ|questions> cobol")
    await _said(slack, "ask-channel <#CQ|questions> rexx")
    posts = slack.fake.called("chat.postMessage")
    cobol, rexx = (i + 1 for i, c in enumerate(posts) if c.params["channel"] == "CQ")
    told = await _said(slack, "ask-channel answered")
    assert "I marked your question “rexx” in #questions answered" in told
    assert slack.fake.called("chat.delete") == []
    told = await _said(slack, "ask-channel withdraw")
    assert "Its post is removed from #questions." in told
    [deleted] = slack.fake.called("chat.delete")
    assert deleted.params == {"channel": "CQ", "ts": f"1700000000.{cobol:06d}"}
    assert rexx != cobol
