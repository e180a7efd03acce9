"""Forget-me erases what is kept about a person, their private-channel memberships included. If
they still read a private channel, their next use of the bot must find its narrations again, as
it does for anyone else there: not stay blind to it until the bot restarts."""

from __future__ import annotations

from narrate_bot.app import Bot

from .fake import ALICE, CAROL, SECRET, FakeDiscord

VAULT = "rotating vault keys"


async def _whoknows(fake: FakeDiscord, topic: str) -> str:
    answer = await fake.answer(await fake.slash("whoknows", who=CAROL, topic=topic))
    return str(answer["data"]["content"])


async def test_a_private_channel_still_readable_after_forget_me_is_shown_again(
    fake: FakeDiscord, bot: Bot, connect
) -> None:
    """carol is a keeper, so she reads #secret before and after erasing herself."""
    await connect(bot)
    await fake.answer(await fake.slash("narrate", who=ALICE, channel=SECRET, text=VAULT))
    assert VAULT in await _whoknows(fake, "vault")

    erased = await fake.answer(await fake.slash("narrate", who=CAROL, text="forget-me confirm"))
    assert "gone from everything" in erased["data"]["content"]

    assert VAULT in await _whoknows(fake, "vault")
