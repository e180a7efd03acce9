"""/whoknows, and a question asked in a DM's form, are answered while another connection writes.

Before answering anyone, the adapter reads which private channels the core has them down as
reading, to compare with what their roles allow now. It read that in a transaction, which on
SQLite began with ``BEGIN IMMEDIATE``: every command, click and mention waited behind any other
writer (a forget-me's scrub, the weekly job, another replica) and past the busy timeout was
answered "Sorry, that didn't work", though the core answers a question from a snapshot. It now
reads in a snapshot too. Access that changed is still written before the answer: while the
writer holds on, someone who lost a private channel gets no answer from it.
"""

from __future__ import annotations

from typing import Any

import pytest

from narrate_bot.app import Bot
from narrate_bot_adapters.discord.interactions import TRIED_AGAIN
from tests.held_lock import another_writer, short_busy_timeout

from . import fake as F
from .fake import ALICE, CAROL, GUILD, SECRET, FakeDiscord

FORM = f"narrate-form@{GUILD}:narration"
VAULT = "rotating vault keys"


async def _whoknows(fake: FakeDiscord) -> str:
    answer = await fake.answer(await fake.slash("whoknows", who=CAROL, topic="vault"))
    return str(answer["data"]["content"])


async def _ask_in_dm_form(fake: FakeDiscord) -> str:
    """The personal reminder DM's "Write my update" button, then its form, with a question."""
    modal = await fake.answer(
        await fake.click(f"narrate@{GUILD}:/narrate", in_guild=False, who=CAROL)
    )
    assert modal["type"] == 9 and modal["data"]["custom_id"] == FORM, modal
    answer = await fake.answer(
        await fake.submit(FORM, "who knows about vault?", in_guild=False, who=CAROL)
    )
    return str(answer["data"]["content"])


async def test_who_knows_is_answered_while_another_connection_writes(
    fake: FakeDiscord, bot: Bot, connect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    await connect(bot)
    await fake.answer(await fake.slash("narrate", who=ALICE, channel=SECRET, text=VAULT))
    # carol, a keeper, has asked before: in the server and in her DMs.
    quiet = (await _whoknows(fake), await _ask_in_dm_form(fake))
    await short_busy_timeout(bot.db, monkeypatch)

    with another_writer(bot.db):
        held = (await _whoknows(fake), await _ask_in_dm_form(fake))

    assert held == quiet
    for answer in held:
        assert f"<@{ALICE['id']}>" in answer and VAULT in answer and "#secret" in answer, answer


async def test_access_lost_is_still_written_before_the_answer(
    fake: FakeDiscord, bot: Bot, connect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """carol loses the keepers role (no event tells the bot): her next question must not be
    answered from #secret, with or without another writer at work."""
    await connect(bot)
    await fake.answer(await fake.slash("narrate", who=ALICE, channel=SECRET, text=VAULT))
    assert VAULT in await _whoknows(fake)
    await short_busy_timeout(bot.db, monkeypatch)
    monkeypatch.setitem(F.ROLES, CAROL["id"], [])

    with another_writer(bot.db):
        meanwhile = await _whoknows(fake)

    assert VAULT not in meanwhile and "#secret" not in meanwhile, meanwhile
    if bot.db.dialect == "sqlite":  # her leaving must be written first: it waits for the lock
        assert meanwhile == TRIED_AGAIN
    after = await _whoknows(fake)
    assert "vault" in after and VAULT not in after and "#secret" not in after, after
