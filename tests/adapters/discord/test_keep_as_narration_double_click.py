"""A double click on "Keep as a narration" keeps the words once.

Discord leaves the offer in place until the first click's answer replaces it, and a second
click in that moment (or one reaching another replica) found the same kept command: both ran
it, and the words were kept as #1 and #2. The click now takes the command before running it;
the other click is told the button was used. When keeping fails before anything is stored, the
command is kept again, so the offer still on screen works on the next click."""

from __future__ import annotations

import asyncio

import pytest

from narrate_bot.app import Bot
from tests.held_lock import narrations_locked

from .fake import ALICE, BOB, FakeDiscord
from .test_kept_buttons_outlive_restarts import WORDS, _narrations, _offer, _pending

USED = "That button was already used"


async def test_a_double_click_keeps_the_words_once(fake: FakeDiscord, bot: Bot, connect) -> None:
    await connect(bot)
    button = await _offer(fake)
    first, second = await asyncio.gather(
        fake.click(button, who=ALICE), fake.click(button, who=ALICE)
    )
    answers = await asyncio.gather(fake.answer(first), fake.answer(second))
    assert await _narrations(bot) == [WORDS]
    said = sorted(a["data"]["content"] for a in answers)
    assert said[0].startswith("Noted as #1."), said
    assert said[1].startswith(USED), said
    assert WORDS not in said[1]


async def test_a_click_after_it_was_used_says_so(fake: FakeDiscord, bot: Bot, connect) -> None:
    """A click that arrives once the first is answered (from a second window, another replica)
    is told the button did its job, not that it expired."""
    await connect(bot)
    button = await _offer(fake)
    assert (await fake.answer(await fake.click(button, who=ALICE)))["data"]["content"].startswith(
        "Noted as #1."
    )
    again = await fake.answer(await fake.click(button, who=ALICE))
    assert again["data"]["content"].startswith(USED), again
    assert await _narrations(bot) == [WORDS]
    assert await _pending(bot.db) == []  # the words live on in the narration alone


async def test_someone_else_clicking_takes_nothing(fake: FakeDiscord, bot: Bot, connect) -> None:
    await connect(bot)
    button = await _offer(fake, who=ALICE)
    refused = await fake.answer(await fake.click(button, who=BOB))
    assert "for the person I showed it to" in refused["data"]["content"]
    clicked = await fake.answer(await fake.click(button, who=ALICE))
    assert clicked["data"]["content"].startswith("Noted as #1.")


@pytest.mark.undeferred
async def test_when_keeping_fails_the_button_still_works(
    fake: FakeDiscord, bot: Bot, connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = await connect(bot)
    button = await _offer(fake)
    client.interactions.retry_after = 0.0  # the second try fails as the first: no need to wait

    async with narrations_locked(bot.db, monkeypatch):
        failed = await fake.answer(await fake.click(button, who=ALICE))
    assert failed["data"]["content"].startswith("Sorry, that didn't work"), failed
    assert await _narrations(bot) == []
    assert await _pending(bot.db) == [f"/narrate note {WORDS}"]  # kept again, for the offer

    clicked = await fake.answer(await fake.click(button, who=ALICE))
    assert clicked["data"]["content"].startswith("Noted as #1."), clicked
    assert await _narrations(bot) == [WORDS]
