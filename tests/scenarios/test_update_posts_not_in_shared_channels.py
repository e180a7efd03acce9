"""A form update is never posted in a prompt's thread in a channel shared with another
organisation, through the console.

Before, bob's update written through the private form of a prompt in #partner (shared with
pat's organisation) was posted in its thread: "Posted in the prompt's thread in #partner", and
the partner organisation read it, whichever audience he chose. Everywhere else nothing a person
wrote to the bot reaches people of another organisation (who-knows answers go to the asker
alone there, open questions refuse shared channels, a shared channel's digest holds figures and
topics, never a narration's text). Now the update is kept and nothing is posted; where the
platform can say, it is asked right before posting, as for digests and introductions.
"""

from __future__ import annotations

from sqlmodel import select

from narrate_bot.events import ChannelRef, FormSubmitted, Platform, UserRef
from narrate_bot.replies import Post
from narrate_bot.storage.tables import Channel, Narration
from narrate_bot_adapters.console.adapter import TENANT

# The console's clock starts Monday 2026-11-23 09:00 Berlin (08:00 UTC).

REFUSED = (
    "Not posted in #partner's thread: it's shared with another organisation. Your update is kept."
)


def _form(clock, text: str, audience: str, event_id: str) -> FormSubmitted:
    return FormSubmitted(
        event_id=event_id,
        tenant=TENANT,
        user=UserRef(user_id="bob", display_name="bob"),
        channel=ChannelRef(channel_id="partner", name="partner"),
        occurred_at=clock.now(),
        form="prompt-reply:1",
        fields={"text": text, "audience": audience},
    )


async def _prompted(chat, kind: str = "shared") -> None:
    await chat.say(f":channel #partner {kind} alice,bob,pat")
    out = await chat.say(
        "alice in #partner: /narrate schedule #partner weekdays 16:30", ":advance 9h"
    )
    assert "[console] posted as m1: reply in #partner thread m1" in out


async def _texts(bot) -> list[str]:
    async with bot.db.transaction() as session:
        return [n.text for n in (await session.exec(select(Narration))).all()]


async def test_an_update_for_the_workspace_is_not_posted_in_a_shared_channel(chat, bot, clock):
    await _prompted(chat)
    before = chat.out.getvalue()
    [reply] = await bot.handle(_form(clock, "salary bands for the acme deal", "tenant", "f1"))
    assert reply.text.startswith("Noted as #1, readable by everyone in this workspace.")
    assert REFUSED in reply.text
    assert "Posted in the prompt's thread" not in reply.text
    after = chat.out.getvalue()[len(before) :]
    assert "salary bands" not in after.replace(reply.text, "") and "posted as" not in after
    assert await _texts(bot) == ["salary bands for the acme deal"]


async def test_nor_one_for_the_channels_readers(chat, bot, clock):
    """The channel's readers include pat's organisation, which never reads a narration's text
    through the bot: the private form doesn't publish it to them either."""
    await _prompted(chat)
    form = await chat.say("bob in #partner: /narrate reply 1")
    assert "fills the form" in form
    out = await chat.say("bob in #partner: fixed the invoice export")
    assert "Noted as #1, readable by whoever reads #partner." in out
    assert REFUSED in out and "posted as" not in out
    assert await _texts(bot) == ["fixed the invoice export"]


class _SaysShared:
    """The console, able to say (as Slack is) whether a channel is shared right now."""

    def __init__(self, console, answer: bool | Exception) -> None:
        self.console, self.answer, self.asked = console, answer, 0

    async def post(self, tenant, post: Post) -> str:
        return await self.console.post(tenant, post)

    async def update(self, tenant, message_id: str, post: Post) -> None:
        await self.console.update(tenant, message_id, post)

    async def delete(self, tenant, channel_id: str, message_id: str, **kw: object) -> None:
        await self.console.delete(tenant, channel_id, message_id, **kw)

    async def shared_now(self, tenant, channel_id: str) -> bool:
        self.asked += 1
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


async def _stored_shared(bot) -> bool:
    async with bot.db.transaction() as session:
        found = await session.exec(select(Channel).where(Channel.channel_id == "partner"))
        return found.one().shared


async def test_the_platform_is_asked_right_before_posting(chat, bot, clock):
    """Stored as private, shared since without the event reaching us: not posted, and the
    channel is kept as shared. Asked again once unshared, the next update is posted."""
    await _prompted(chat, "private")
    gateway = _SaysShared(bot.gateways[Platform.CONSOLE], True)
    bot.gateways[Platform.CONSOLE] = gateway
    before = chat.out.getvalue()
    [reply] = await bot.handle(_form(clock, "salary bands for the acme deal", "channel", "f1"))
    assert REFUSED in reply.text and gateway.asked == 1
    assert "posted as" not in chat.out.getvalue()[len(before) :]
    assert await _stored_shared(bot)

    gateway.answer = False
    [reply] = await bot.handle(_form(clock, "fixed the invoice export", "channel", "f2"))
    assert "Posted in the prompt's thread in #partner." in reply.text
    assert "[console] posted as m2 in #partner thread m1" in chat.out.getvalue()
    assert not await _stored_shared(bot)


async def test_a_platform_that_cant_say_gets_no_post(chat, bot, clock):
    await _prompted(chat, "private")
    bot.gateways[Platform.CONSOLE] = _SaysShared(
        bot.gateways[Platform.CONSOLE], ConnectionError("down")
    )
    before = chat.out.getvalue()
    [reply] = await bot.handle(_form(clock, "fixed the invoice export", "channel", "f1"))
    assert (
        "I couldn't post it in the prompt's thread in #partner just now: I couldn't check "
        "whether it's shared with another organisation; I'll try again in a few minutes."
        in reply.text
    )
    assert "posted as" not in chat.out.getvalue()[len(before) :]
    assert await _texts(bot) == ["fixed the invoice export"]
