"""A form update edited, deleted or forgotten while its post in the prompt's thread is still
going out (a rate-limit wait, a slow platform), through the console.

Before, an edit made then found no post to change: it said plain "Updated #1." and the post went
out with the old text, for good. A delete then said it couldn't remove the post (which its
poster did remove), and forget-me named it as staying. Now the poster reads the narration once
its post is out and changes the post to the edited text, the edit says the post is still going
out, and a delete or forget-me says the post is removed (its poster removes it).
"""

from __future__ import annotations

import asyncio

from sqlmodel import select

from narrate_bot.events import ChannelRef, FormSubmitted, Platform, UserRef
from narrate_bot.replies import Post
from narrate_bot.storage.tables import Narration
from narrate_bot_adapters.console.adapter import TENANT

# The console's clock starts Monday 2026-11-23 09:00 Berlin (08:00 UTC).


def _form(clock, text: str) -> FormSubmitted:
    return FormSubmitted(
        event_id="f1",
        tenant=TENANT,
        user=UserRef(user_id="bob", display_name="bob"),
        channel=ChannelRef(channel_id="team", name="team"),
        occurred_at=clock.now(),
        form="prompt-reply:1",
        fields={"text": text, "audience": "channel"},
    )


class _Slow:
    """The console, but a post takes a while to go out, until ``go`` is set."""

    def __init__(self, console) -> None:
        self.console = console
        self.started = asyncio.Event()
        self.go = asyncio.Event()

    async def post(self, tenant, post: Post) -> str:
        self.started.set()
        await self.go.wait()
        return await self.console.post(tenant, post)

    async def update(self, tenant, message_id: str, post: Post) -> None:
        await self.console.update(tenant, message_id, post)

    async def delete(self, tenant, channel_id: str, message_id: str, **kw: object) -> None:
        await self.console.delete(tenant, channel_id, message_id, **kw)


async def _posting(chat, bot, clock) -> tuple[_Slow, asyncio.Task[object], int]:
    """bob sends the form; its post is on its way when this returns."""
    out = await chat.say("alice in #team: /narrate schedule #team weekdays 16:30", ":advance 9h")
    assert "[console] posted as m1: reply in #team thread m1" in out
    slow = _Slow(bot.gateways[Platform.CONSOLE])
    bot.gateways[Platform.CONSOLE] = slow
    start = len(chat.out.getvalue())
    submit = asyncio.create_task(bot.handle(_form(clock, "salary of dana is 90k")))
    await asyncio.wait_for(slow.started.wait(), 10)
    return slow, submit, start


async def test_an_edit_while_the_post_goes_out_reaches_the_post(chat, bot, clock):
    slow, submit, start = await _posting(chat, bot, clock)
    edited = await chat.say("bob: /narrate edit 1 reviewed the budget")
    assert (
        "Updated #1. Its post in the prompt's thread is still going out; it will show the new "
        "text." in edited
    )
    slow.go.set()
    [reply] = await asyncio.wait_for(submit, 10)
    assert "Posted in the prompt's thread in #team." in reply.text
    assert "It shows your edit." in reply.text
    out = chat.out.getvalue()[start:]
    # Posted with the text it had when sent, then changed at once to the edited one.
    after = out.split("[console] posted as m2 in #team thread m1", 1)[1]
    assert "[#team thread] @bob wrote an update:\n  reviewed the budget" in after
    assert "[console] edited m2 in #team" in after
    assert "salary of dana" not in after
    async with bot.db.transaction() as session:
        [narration] = (await session.exec(select(Narration))).all()
    assert narration.text == "reviewed the budget"


async def test_a_delete_while_the_post_goes_out_removes_it_and_says_so(chat, bot, clock):
    slow, submit, start = await _posting(chat, bot, clock)
    deleted = await chat.say("bob: /narrate delete 1")
    assert "Deleted #1. It's gone from search too. Its post in the prompt's thread is removed" in (
        deleted
    )
    assert "couldn't remove" not in deleted
    slow.go.set()
    await asyncio.wait_for(submit, 10)
    out = chat.out.getvalue()[start:]
    assert "[console] posted as m2 in #team thread m1" in out
    assert "[console] removed m2 from #team thread m1" in out


async def test_forget_me_while_the_post_goes_out_names_no_post_as_staying(chat, bot, clock):
    slow, submit, start = await _posting(chat, bot, clock)
    await chat.say("bob: /narrate forget-me")
    out = await chat.say("bob: /narrate forget-me confirm")
    assert "Done: I erased everything about you, including 1 narration." in out
    assert "couldn't remove" not in out
    slow.go.set()
    await asyncio.wait_for(submit, 10)
    assert "[console] removed m2 from #team thread m1" in chat.out.getvalue()[start:]
