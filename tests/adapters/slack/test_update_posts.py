"""An update written in a prompt's "Write my update" modal is posted in the prompt's thread on
Slack, through the real Bolt app and slack_sdk against the fake Web API: ``chat.postMessage``
with the prompt's ``thread_ts``, naming its author as text (a mention would notify them), then
``chat.update`` on an edit and ``chat.delete`` on a delete. "Only me" posts nothing, and an
archived channel costs no narration."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.adapters.slack.conftest import SlackEnv, until
from tests.adapters.slack.test_stale_forms import click, submission

CHANNEL, TENANT_WIDE, ONLY_ME = 0, 1, 2


async def _prompt_ts(slack: SlackEnv) -> str:
    slack.fake.users["U1"] = {"id": "U1", "name": "ada", "is_admin": True}
    slack.fake.channels["C1"] = {"id": "C1", "name": "team", "is_channel": True}
    await slack.command("schedule #team daily 09:30 UTC", channel_name="team")
    await until(lambda: slack.fake.responses)
    bot = slack.adapter.bot
    await bot.run_due(bot.clock.now() + timedelta(days=1))
    posts = slack.fake.called("chat.postMessage")
    [index] = [i for i, c in enumerate(posts) if "work out loud" in str(c.params)]
    # The fake's ts count 1, 2, 3… over its chat.postMessage answers, in order.
    return f"1700000000.{index + 1:06d}"


async def _submit(slack: SlackEnv, text: str, audience: int = CHANNEL) -> str:
    opened = len(slack.fake.called("views.open"))
    told = len(slack.fake.called("chat.postEphemeral"))
    await slack.interaction(click("/narrate reply 1", channel="C1", trigger=f"t-{opened}"))
    await until(lambda: len(slack.fake.called("views.open")) > opened)
    view = slack.fake.called("views.open")[-1].params["view"]
    status, _, _ = await slack.interaction(submission(view, text, audience))
    assert status == 200
    await until(lambda: len(slack.fake.called("chat.postEphemeral")) > told)
    return str(slack.fake.called("chat.postEphemeral")[-1].params["text"])


async def _said(slack: SlackEnv, text: str) -> str:
    before = len(slack.fake.responses)
    await slack.command(text)
    await until(lambda: len(slack.fake.responses) > before)
    return str(slack.fake.responses[-1]["text"])


def _posted_in(slack: SlackEnv, thread: str) -> list[dict[str, Any]]:
    return [
        c.params
        for c in slack.fake.called("chat.postMessage")
        if c.params.get("thread_ts") == thread
    ]


async def test_the_update_is_posted_in_the_thread_then_edited_then_deleted(slack):
    thread = await _prompt_ts(slack)
    told = await _submit(slack, "shipped the <@U2> importer")
    assert "Posted in the prompt's thread in #team." in told
    assert "/narrate edit 1" in told and "/narrate delete 1" in told
    [post] = _posted_in(slack, thread)
    assert post["channel"] == "C1"
    shown = post["text"] + str(post["blocks"])
    # A modal's typed "<@U2>" is kept as a message's is: look-alike "‹@U2›", never a mention.
    assert "ada wrote an update:" in shown and "shipped the ‹@U2› importer" in shown
    assert "<@U1>" not in shown and "<@U2>" not in shown  # nobody is notified
    ts = f"1700000000.{len(slack.fake.called('chat.postMessage')):06d}"

    assert (
        "its post in the prompt's thread is changed too"
        in (await _said(slack, "edit 1 shipped the importer, with docs")).lower()
    )
    [edited] = slack.fake.called("chat.update")
    assert edited.params["channel"] == "C1" and edited.params["ts"] == ts
    assert "ada wrote an update:" in edited.params["text"]
    assert "shipped the importer, with docs" in edited.params["text"]

    assert "Its post in the prompt's thread is removed too." in await _said(slack, "delete 1")
    [deleted] = slack.fake.called("chat.delete")
    assert deleted.params == {"channel": "C1", "ts": ts}


async def test_forget_me_deletes_the_post(slack):
    thread = await _prompt_ts(slack)
    await _submit(slack, "shipped the importer", TENANT_WIDE)
    assert len(_posted_in(slack, thread)) == 1
    await _said(slack, "forget-me")
    told = await _said(slack, "forget-me confirm")
    assert "Done: I erased everything about you" in told and "couldn't remove" not in told
    [deleted] = slack.fake.called("chat.delete")
    assert deleted.params["channel"] == "C1"


async def test_only_me_is_never_posted(slack):
    thread = await _prompt_ts(slack)
    told = await _submit(slack, "salary talk stalls", ONLY_ME)
    assert "only for you" in told and "Posted in" not in told
    assert _posted_in(slack, thread) == []
    # The same form for the channel's readers is posted: only "only me" kept it out.
    assert "Posted in the prompt's thread" in await _submit(slack, "shipped the importer")
    [post] = _posted_in(slack, thread)
    assert "salary" not in str(post) and "shipped the importer" in post["text"]


async def test_an_archived_channel_keeps_the_update_and_says_so(slack):
    thread = await _prompt_ts(slack)
    slack.fake.failures["chat.postMessage"] = "is_archived"
    told = await _submit(slack, "shipped the importer")
    assert "Noted as #1" in told
    assert "I couldn't post it in the prompt's thread in #team: it's archived." in told
    [narration] = await slack.narrations()
    assert narration.text == "shipped the importer"
    assert [c.params.get("thread_ts") for c in slack.fake.called("chat.postMessage")][-1] == thread
