"""Discord: a who-knows answer split in several messages that an edit shortens (its author's
delete leaves "(removed by its author)") fits in fewer of them; a message can't be emptied, so
each later one is edited to a short note. It said "(continued above)": under an answer that is
whole in the first message, "continued" promised more answer that was nowhere, and nothing said
why the part was empty now. It says the answer now ends above, shortened by an edit. Through
the real discord.py client against the repo's fake REST API and gateway, with the split limits
scaled down (``test_split_answer_follows_its_quotes``)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from narrate_bot.app import Bot
from narrate_bot.storage.copy_tables import NarrationCopy

from .fake import BOB, FakeDiscord
from .test_split_answer_follows_its_quotes import (  # noqa: F401 (the fixture)
    _answered,
    _shown,
    _slash,
    small_messages,
)


async def _ids(bot: Bot) -> list[str]:
    """The answer's messages, in order, as it was kept (the DM also holds other replies, such
    as the "This helped" one; the record goes once nothing it quotes is left)."""
    async with bot.db.snapshot() as session:
        [kept] = (await session.exec(select(NarrationCopy))).all()
    return kept.message_id.split()


def _now(fake: FakeDiscord, where: str, ids: list[str]) -> list[str]:
    """What each of those messages says now."""
    shown = dict(zip((str(m["id"]) for m in fake.sent[where]), _shown(fake, where), strict=True))
    return [shown[i] for i in ids]


@pytest.mark.parametrize("by_dm", [False, True], ids=["thread", "dm"])
async def test_the_parts_an_edit_emptied_say_the_answer_ends_above(
    fake: FakeDiscord, bot: Bot, connect: Any, by_dm: bool
) -> None:
    where = await _answered(fake, bot, connect, by_dm=by_dm)
    ids = await _ids(bot)
    await _slash(fake, "narrate", who=BOB, text="delete 1")
    await _slash(fake, "narrate", who=BOB, text="delete 2")
    first, *later = _now(fake, where, ids)
    assert later, first  # it was split, and the first message now holds all of it
    assert "Who knows about" in first and "(removed by its author)" in first, first
    for part in later:
        assert "continued" not in part.lower(), later
        assert "ends above" in part and "edit" in part, later
