"""An update written through a prompt's "Write my update" form is posted in that prompt's
thread, naming its author, through the console.

Before, the form's text became a narration that nobody on the team saw unless they searched.
Now it is posted in the thread of the prompt it answers (never one kept "only for me"), an edit
changes the post, a delete or forget-me removes it, a channel can turn it off, and a post the
platform refuses never costs the narration.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from sqlmodel import select

from narrate_bot.events import ChannelRef, FormSubmitted, Platform, UserRef
from narrate_bot.ports import CannotPostThere
from narrate_bot.replies import Post
from narrate_bot.storage.tables import Narration
from narrate_bot_adapters.console.adapter import TENANT

# The console's clock starts Monday 2026-11-23 09:00 Berlin (08:00 UTC).

POSTED = "Posted in the prompt's thread in #team."


async def _prompted(chat) -> None:
    """A prompt in #team, posted as m1."""
    out = await chat.say("alice in #team: /narrate schedule #team weekdays 16:30", ":advance 9h")
    assert "[console] posted as m1: reply in #team thread m1" in out


async def _form_update(chat, text: str = "shipped the ledger importer") -> str:
    form = await chat.say("bob in #team: /narrate reply 1")
    assert "fills the form" in form
    return await chat.say(f"bob in #team: {text}")


async def _rows(bot) -> list[object]:
    # Imported here, so that on code without it each test fails on what a person sees.
    from narrate_bot.storage.update_post_tables import UpdatePost

    async with bot.db.transaction() as session:
        return list((await session.exec(select(UpdatePost))).all())


async def test_a_form_update_is_posted_in_the_prompts_thread_naming_its_author(chat, bot):
    await _prompted(chat)
    out = await _form_update(chat)
    assert "[#team thread] @bob wrote an update:\n  shipped the ledger importer" in out
    assert "[console] posted as m2 in #team thread m1" in out
    assert f"Noted as #1, readable by whoever reads #team.\n  {POSTED}" in out
    assert "Change it with /narrate edit 1 <text>, or remove it with /narrate delete 1." in out
    [row] = await _rows(bot)
    assert (row.channel_id, row.thread_of, row.message_id) == ("team", "m1", "m2")
    async with bot.db.transaction() as session:
        [narration] = (await session.exec(select(Narration))).all()
    assert narration.text == "shipped the ledger importer"
    # Another update through the form is its own, posted once.
    again = await _form_update(chat, "and its docs")
    assert again.count("[console] posted as") == 1
    assert "[console] posted as m3 in #team thread m1" in again


async def test_a_reply_typed_in_the_thread_is_not_posted_again(chat):
    await _prompted(chat)
    await chat.say("bob: /narrate join")
    out = await chat.say("bob in #team thread m1: fixed the flaky test")
    assert "Noted as" in out and "posted as" not in out and POSTED not in out


def _form(clock, audience: str, event_id: str = "") -> FormSubmitted:
    return FormSubmitted(
        event_id=event_id or f"form-{audience}",
        tenant=TENANT,
        user=UserRef(user_id="bob", display_name="bob"),
        channel=ChannelRef(channel_id="team", name="team"),
        occurred_at=clock.now(),
        form="prompt-reply:1",
        fields={"text": "salary talk stalls", "audience": audience},
    )


async def test_an_update_kept_only_for_me_is_never_posted_even_once_shared(chat, bot, clock):
    await _prompted(chat)
    before = chat.out.getvalue()
    [reply] = await bot.handle(_form(clock, "only_me"))
    assert reply.text.startswith("Noted as #1, only for you.") and POSTED not in reply.text
    shared = await chat.say("bob: /narrate share 1")
    assert "now visible to everyone in this workspace" in shared
    assert "salary talk" not in chat.out.getvalue()[len(before) :]
    # The channel's update, after it, is posted: only "only me" kept it out.
    out = await _form_update(chat)
    assert "[console] posted as m2 in #team thread m1" in out
    assert len(await _rows(bot)) == 1


async def test_one_written_for_the_workspace_is_posted(chat, bot, clock):
    await _prompted(chat)
    [reply] = await bot.handle(_form(clock, "tenant"))
    assert reply.text.startswith("Noted as #1, readable by everyone in this workspace.")
    assert POSTED in reply.text
    assert "[console] posted as m2 in #team thread m1" in chat.out.getvalue()


async def test_an_edit_changes_the_post(chat, bot):
    await _prompted(chat)
    await _form_update(chat)
    out = await chat.say("bob: /narrate edit 1 shipped the ledger importer, with docs")
    assert "[#team thread] @bob wrote an update:\n  shipped the ledger importer, with docs" in out
    assert "[console] edited m2 in #team" in out
    assert "Updated #1. Its post in the prompt's thread is changed too." in out


async def test_a_delete_removes_the_post(chat, bot):
    await _prompted(chat)
    await _form_update(chat)
    out = await chat.say("bob: /narrate delete 1")
    assert "[console] removed m2 from #team thread m1" in out
    assert (
        "Deleted #1. It's gone from search too. Its post in the prompt's thread is removed" in out
    )
    assert await _rows(bot) == []
    # The prompt itself, and its thread, stay.
    assert "removed m1" not in out


async def test_forget_me_removes_every_post(chat, bot):
    await _prompted(chat)
    await _form_update(chat)
    await _form_update(chat, "reviewed the schema change")
    await chat.say("bob: /narrate forget-me")
    out = await chat.say("bob: /narrate forget-me confirm")
    assert "[console] removed m2 from #team thread m1" in out
    assert "[console] removed m3 from #team thread m1" in out
    assert "Done: I erased everything about you, including 2 narrations." in out
    assert "couldn't remove" not in out
    assert await _rows(bot) == []


class _Undeleting:
    """Posts like the console but can't delete: the platform refused or was down."""

    def __init__(self, console) -> None:
        self.console = console

    async def post(self, tenant, post: Post) -> str:
        return await self.console.post(tenant, post)

    async def update(self, tenant, message_id: str, post: Post) -> None:
        raise ConnectionError("platform down")

    async def delete(self, tenant, channel_id: str, message_id: str, **_: object) -> None:
        raise ConnectionError("platform down")


async def test_posts_that_stay_are_named_and_nothing_is_held_back(chat, bot):
    await _prompted(chat)
    await _form_update(chat)
    bot.gateways[Platform.CONSOLE] = _Undeleting(bot.gateways[Platform.CONSOLE])
    out = await chat.say("bob: /narrate edit 1 shipped it, with docs")
    assert "Updated #1. I couldn't change its post in the prompt's thread" in out
    await chat.say("bob: /narrate forget-me")
    out = await chat.say("bob: /narrate forget-me confirm")
    assert "Done: I erased everything about you, including 1 narration." in out
    assert (
        "I couldn't remove my post of your update #1 in the prompt's thread; please delete it "
        "there, or ask an admin to." in out
    )
    assert await _rows(bot) == []


async def test_a_channel_that_switched_it_off_gets_no_post(chat, bot):
    await _prompted(chat)
    out = await chat.say("carol in #team: /narrate schedule updates off")
    assert "no longer posted in its thread" in out
    listed = await chat.say("carol: /narrate schedule list")
    assert "form updates not posted" in listed
    out = await _form_update(chat)
    assert "Noted as #1" in out and "posted as" not in out and POSTED not in out
    out = await chat.say("carol: /narrate schedule updates #team thread")
    assert "are posted in that prompt's thread" in out
    out = await _form_update(chat, "and its docs")
    assert "[console] posted as m2 in #team thread m1" in out


class _Archived:
    """The console, but its #team was archived once the prompt went out."""

    def __init__(self, console) -> None:
        self.console = console

    async def post(self, tenant, post: Post) -> str:
        raise CannotPostThere(CannotPostThere.ARCHIVED)

    async def update(self, tenant, message_id: str, post: Post) -> None:
        raise AssertionError("nothing was posted")

    async def delete(self, tenant, channel_id: str, message_id: str, **_: object) -> None:
        raise AssertionError("nothing was posted")


async def test_a_refused_post_keeps_the_narration_and_says_why(chat, bot):
    await _prompted(chat)
    bot.gateways[Platform.CONSOLE] = _Archived(bot.gateways[Platform.CONSOLE])
    out = await _form_update(chat)
    assert "Noted as #1, readable by whoever reads #team." in out
    assert (
        "I couldn't post it in the prompt's thread in #team: it's archived. Your update is kept "
        "all the same." in out
    )
    assert await _rows(bot) == []
    assert "shipped the ledger importer" in await chat.say("bob: /narrate mine")


async def test_the_same_form_sent_twice_is_kept_and_posted_once(chat, bot, clock):
    """A double submit, or a platform's retry of the submit, at once (each waits for the other
    under the author's held row) or one after the other: one narration, one post."""
    await _prompted(chat)
    together = await asyncio.gather(
        bot.handle(_form(clock, "channel", "submit-1")),
        bot.handle(_form(clock, "channel", "submit-2")),
    )
    texts = sorted(r.text for [r] in together)
    already = (
        "Already noted as #1: that was the same update again, so I kept and posted nothing new."
    )
    assert texts[0] == already and texts[1].startswith("Noted as #1") and POSTED in texts[1]
    [again] = await bot.handle(_form(clock, "channel", "submit-3"))
    assert again.text == already
    assert chat.out.getvalue().count("salary talk stalls") == 1
    assert len(await _rows(bot)) == 1
    async with bot.db.transaction() as session:
        assert len((await session.exec(select(Narration))).all()) == 1


async def test_my_export_says_which_updates_were_posted(chat, bot, clock):
    await _prompted(chat)
    await _form_update(chat)
    await bot.handle(_form(clock, "only_me"))
    out = await chat.say("bob: /narrate export")
    data = json.loads(Path(out.split("saved to ", 1)[1].strip()).read_text())
    posted = {n["text"]: n["posted_in_thread_at"] for n in data["narrations"]}
    assert posted["shipped the ledger importer"] == "2026-11-23T17:00:00+00:00"
    assert posted["salary talk stalls"] is None
