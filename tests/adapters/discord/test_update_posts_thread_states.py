"""A form update's post on Discord when the prompt's thread isn't open: archived after a day
without messages, or never opened; through the real discord.py client against the fake REST
API.

Before, an edit of yesterday's update in a thread that had archived itself was refused by
Discord (50083) and the author read "I couldn't change its post … still shows the old text";
and a prompt whose thread never opened (the bot lacked Create Public Threads then) made every
update answer "I couldn't post it in the prompt's thread in #general: I'm not in it. Someone
who manages the server can let me view the channel…", though the bot is in #general. Now the
archived thread is opened for the edit (or delete) and archived again; the missing thread is
opened on the prompt and the update posted there; only a thread the bot may not open is told,
as what it is.
"""

from __future__ import annotations

from datetime import timedelta

from narrate_bot.app import Bot

from .fake import GENERAL, FakeDiscord
from .test_update_posts import _prompted, _said, _sub, _submit

ARCHIVED = {"message": "Operation cannot be performed on an archived thread.", "code": 50083}
NO_PERMISSION = {"message": "Missing Permissions", "code": 50013}
UNKNOWN_CHANNEL = {"message": "Unknown Channel", "code": 10003}


async def test_an_edit_in_an_archived_thread_opens_it_edits_and_archives_it_again(
    fake: FakeDiscord, bot: Bot, clock, connect
):
    thread, prompt = await _prompted(fake, bot, clock, connect)
    assert "Posted in the prompt's thread" in await _submit(fake, prompt, "shipped the importer")
    fake.threads[thread]["thread_metadata"]["archived"] = True  # a day later
    fake.fail("PATCH", rf"/channels/{thread}/messages/\d+$", 400, ARCHIVED)
    edited = await _said(fake, "edit 1 shipped the importer, with docs")
    assert "Its post in the prompt's thread is changed too." in edited
    assert "couldn't change" not in edited
    patches = fake.posted(f"/channels/{thread}/messages/", "PATCH")
    assert patches[-1].body["content"].endswith("shipped the importer, with docs")
    opened = [c.body for c in fake.calls if c.path == f"/channels/{thread}" and c.method == "PATCH"]
    assert [b.get("archived") for b in opened] == [False, True]
    assert fake.threads[thread]["thread_metadata"]["archived"] is True

    fake.fail("DELETE", rf"/channels/{thread}/messages/\d+$", 400, ARCHIVED)
    assert "Its post in the prompt's thread is removed too." in await _said(fake, "delete 1")
    assert len(fake.posted(f"/channels/{thread}/messages/", "DELETE")) == 2  # refused, then done


async def _prompt_without_thread(fake: FakeDiscord, bot: Bot, clock, connect) -> tuple[str, dict]:
    """A prompt in #general whose thread Discord refused to open (no Create Public Threads)."""
    await connect(bot)
    await fake.answer(
        await fake.interaction(
            2, _sub("add", channel=f"<#{GENERAL}>", when="daily 09:30 UTC"), admin=True
        )
    )
    fake.fail("POST", r"/messages/\d+/threads$", 403, NO_PERMISSION)
    await bot.run_due(clock.now() + timedelta(days=1))
    assert not fake.threads
    [refused] = fake.posted("/threads")
    message_id = refused.path.split("/")[-2]
    posted = fake.posted(f"/channels/{GENERAL}/messages")
    [prompt] = [p.body for p in posted if "work out loud" in (p.body.get("content") or "")]
    # Discord knows no channel with the prompt's id: nothing was opened on it.
    fake.fail("POST", rf"/channels/{message_id}/messages$", 404, UNKNOWN_CHANNEL)
    return message_id, prompt


async def test_a_prompt_whose_thread_never_opened_gets_it_opened_for_the_update(
    fake: FakeDiscord, bot: Bot, clock, connect
):
    message_id, prompt = await _prompt_without_thread(fake, bot, clock, connect)
    told = await _submit(fake, prompt, "shipped the importer")
    assert "I'm not in it" not in told
    assert "Posted in the prompt's thread in #general." in told, told
    assert message_id in fake.threads
    assert fake.threads[message_id]["name"] == "Time to work out loud"
    sent = [c for c in fake.posted(f"/channels/{message_id}/messages") if c.status == 200]
    assert len(sent) == 1 and sent[0].body["content"].endswith("shipped the importer")


async def test_a_thread_the_bot_may_not_open_is_told_as_such(
    fake: FakeDiscord, bot: Bot, clock, connect
):
    _, prompt = await _prompt_without_thread(fake, bot, clock, connect)
    fake.fail("POST", r"/messages/\d+/threads$", 403, NO_PERMISSION)
    told = await _submit(fake, prompt, "shipped the importer")
    assert "I'm not in it" not in told and "view the channel" not in told
    assert (
        "I couldn't post it in the prompt's thread in #general: the prompt has no thread, and I "
        "couldn't open one. Someone who manages the server can allow me Create Public Threads "
        "in the channel's permissions (Edit Channel → Permissions). Your update is kept all the "
        "same." in told
    ), told
