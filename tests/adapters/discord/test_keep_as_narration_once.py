""" "Keep as a narration" keeps the words once: its click replaces the offer with the answer.

The button sat on an ephemeral message that Discord leaves in place after a click, so a second
click kept the same words a second time ("Noted as #2"). The click is now answered by updating
that message (``UPDATE_MESSAGE``): the confirmation takes the offer's place and the button goes.
When keeping fails, the offer (with the words it quotes) stays, and the refusal comes apart.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from narrate_bot.app import Bot
from narrate_bot.storage.tables import Narration
from tests.held_lock import narrations_locked

from .conftest import until
from .fake import ALICE, Call, FakeDiscord

UPDATE_MESSAGE = 7
CHANNEL_MESSAGE = 4
DEFERRED_UPDATE_MESSAGE = 6
# The deferral is pinned rather than left to the clock (``undeferred``, or at once): with the
# default 1 s, the two tries that wait out a held lock (2 x FAST_MS and the pause between them)
# ran past it on a loaded machine, and a deferral came instead of the refusal.
pytestmark = pytest.mark.undeferred


async def _offer(fake: FakeDiscord) -> str:
    """/narrate text: find kafka: not a command, so it is offered to be kept, with a button."""
    data = (await fake.answer(await fake.slash("narrate", who=ALICE, text="find kafka")))["data"]
    [button] = [c for row in data["components"] for c in row["components"]]
    assert button["label"] == "Keep as a narration"
    return str(button["custom_id"])


def _later(fake: FakeDiscord) -> list[Call]:
    """What followed a deferral: follow-ups (POST) and edits of the clicked message (PATCH)."""
    return [c for c in fake.calls if c.path.startswith("/webhooks/")]


async def _kept(bot: Bot) -> list[str]:
    async with bot.db.snapshot() as session:
        return [n.text for n in (await session.exec(select(Narration))).all()]


async def test_keeping_replaces_the_offer_and_its_button(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    await connect(bot)
    button = await _offer(fake)

    clicked = await fake.answer(await fake.click(button, who=ALICE))

    assert clicked["type"] == UPDATE_MESSAGE, clicked
    assert clicked["data"]["content"].startswith("Noted as #1."), clicked
    assert clicked["data"]["components"] == [], clicked  # no button left to click again
    assert await _kept(bot) == ["find kafka"]


@pytest.mark.parametrize("deferred", [False, True], ids=["in time", "deferred"])
async def test_when_keeping_fails_the_offer_stays(
    fake: FakeDiscord, bot: Bot, connect: Any, monkeypatch: pytest.MonkeyPatch, deferred: bool
) -> None:
    client = await connect(bot)
    button = await _offer(fake)
    if deferred:
        client.interactions.defer_after = 0.0
    client.interactions.retry_after = 0.0  # the second try fails as the first: no need to wait

    async with narrations_locked(bot.db, monkeypatch):
        clicked = await fake.answer(await fake.click(button, who=ALICE))
        if deferred:
            await until(lambda: _later(fake))  # the answer after both tries

    if deferred:
        assert clicked["type"] == DEFERRED_UPDATE_MESSAGE, clicked  # the offer, untouched
        later = _later(fake)
        assert [c.method for c in later] == ["POST"], later  # its own follow-up; no edit
        said = later[0].body
    else:
        assert clicked["type"] == CHANNEL_MESSAGE, clicked  # a message of its own
        said = clicked["data"]
    assert said["content"].startswith("Sorry, that didn't work"), clicked
    assert await _kept(bot) == []
