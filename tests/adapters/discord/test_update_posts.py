"""An update written in a prompt's "Write my update" modal is posted in the prompt's thread on
Discord, through the real discord.py client against the fake REST API: sent in the thread (a
channel whose id is the prompt's message id), naming its author with a mention that pings
nobody; edited there on ``edit``, deleted there on ``delete`` and forget-me, and the prompt's
own thread is never touched. ``/narrate-schedules updates`` turns it off for a channel."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from narrate_bot.app import Bot

from .fake import CAROL, GENERAL, FakeDiscord, pinged


def _sub(name: str, **options: Any) -> dict[str, Any]:
    typed = [
        {"name": k, "type": 4 if isinstance(v, int) else 3, "value": v} for k, v in options.items()
    ]
    return {"id": "6000", "name": "narrate-schedules", "type": 1,
            "options": [{"name": name, "type": 1, "options": typed}]}  # fmt: skip


async def _prompted(fake: FakeDiscord, bot: Bot, clock, connect) -> tuple[str, dict[str, Any]]:
    """A prompt in #general: its message id (its thread's), and the prompt."""
    await connect(bot)
    await fake.answer(
        await fake.interaction(
            2, _sub("add", channel=f"<#{GENERAL}>", when="daily 09:30 UTC"), admin=True
        )
    )
    await bot.run_due(clock.now() + timedelta(days=1))
    posted = fake.posted(f"/channels/{GENERAL}/messages")
    [prompt] = [p.body for p in posted if "work out loud" in (p.body.get("content") or "")]
    [thread] = fake.threads
    return thread, prompt


async def _submit(fake: FakeDiscord, prompt: dict[str, Any], text: str) -> str:
    custom_id = prompt["components"][0]["components"][0]["custom_id"]
    modal = await fake.answer(await fake.click(custom_id, who=CAROL))
    saved = await fake.answer(await fake.submit(modal["data"]["custom_id"], text, who=CAROL))
    return str(saved["data"]["content"])


async def _said(fake: FakeDiscord, text: str) -> str:
    return str(
        (await fake.answer(await fake.slash("narrate", text=text, who=CAROL)))["data"]["content"]
    )


async def test_posted_in_the_thread_pinging_nobody_then_edited_and_deleted(
    fake: FakeDiscord, bot: Bot, clock, connect
):
    thread, prompt = await _prompted(fake, bot, clock, connect)
    told = await _submit(fake, prompt, "shipped the importer")
    assert "Posted in the prompt's thread in #general." in told
    [post] = fake.posted(f"/channels/{thread}/messages")
    assert post.body["content"] == f"<@{CAROL['id']}> wrote an update:\nshipped the importer"
    assert pinged(post.body) == set()

    edited = await _said(fake, "edit 1 shipped the importer, with docs")
    assert "Its post in the prompt's thread is changed too." in edited
    [patch] = fake.posted(f"/channels/{thread}/messages/", "PATCH")
    assert patch.body["content"].endswith("shipped the importer, with docs")
    assert pinged(patch.body) == set()
    message_id = patch.path.rsplit("/", 1)[1]

    deleted = await _said(fake, "delete 1")
    assert "Its post in the prompt's thread is removed too." in deleted
    assert fake.posted(f"/channels/{thread}/messages/{message_id}", "DELETE")
    # The prompt's thread, and the prompt, stay.
    assert thread in fake.threads
    assert not [c for c in fake.calls if c.path == f"/channels/{thread}" and c.method != "GET"]
    assert not fake.posted(f"/channels/{GENERAL}/messages/{thread}", "DELETE")


async def test_forget_me_deletes_it(fake: FakeDiscord, bot: Bot, clock, connect):
    thread, prompt = await _prompted(fake, bot, clock, connect)
    await _submit(fake, prompt, "shipped the importer")
    await _said(fake, "forget-me")
    told = await _said(fake, "forget-me confirm")
    assert "Done: I erased everything about you" in told and "couldn't remove" not in told
    assert len(fake.posted(f"/channels/{thread}/messages/", "DELETE")) == 1
    assert thread in fake.threads  # the prompt's thread stays


async def test_a_channel_can_turn_it_off(fake: FakeDiscord, bot: Bot, clock, connect):
    thread, prompt = await _prompted(fake, bot, clock, connect)
    off = await fake.answer(
        await fake.interaction(2, _sub("updates", channel=f"<#{GENERAL}>", state="off"))
    )
    assert "no longer posted in its thread" in off["data"]["content"]
    told = await _submit(fake, prompt, "shipped the importer")
    assert told.startswith("Noted as #1") and "Posted in" not in told
    assert not fake.posted(f"/channels/{thread}/messages")
