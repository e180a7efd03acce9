"""Discord: a who-knows answer split in several messages whose later part doesn't go out (the
thread refuses it, 403, e.g. permissions changed mid-answer; or a 5xx past its tries) still
follows its quotes in the parts that did: the author's delete reaches them. Before, those parts
were never reported: after a 403 the answer went again by DM and only the DM copy was kept, so
the parts already in the thread kept their quotes for everyone in the channel."""

from __future__ import annotations

from typing import Any

import pytest

from narrate_bot.app import Bot

from .conftest import until
from .fake import APP, BOB, CAROL, GENERAL, FakeDiscord
from .test_split_answer_follows_its_quotes import (  # noqa: F401 (the fixture)
    CAROL_DM,
    HUNTER,
    MISSING,
    SWORDFISH,
    _kept,
    _shown,
    _slash,
    small_messages,
)

UNAVAILABLE = {"message": "503: Service Unavailable", "code": 0}


@pytest.fixture(autouse=True)
def no_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    from narrate_bot_adapters.discord import once

    monkeypatch.setattr(once, "RESEND_AFTER", (0.0, 0.0))


def _quoted(fake: FakeDiscord, channel: str) -> bool:
    shown = "\n".join(_shown(fake, channel))
    return "hunter2" in shown or "swordfish" in shown


async def _narrated(fake: FakeDiscord, bot: Bot, connect: Any) -> None:
    await connect(bot)
    for text in (HUNTER, SWORDFISH):
        await _slash(fake, "narrate", who=BOB, text=text)


async def _deleted(fake: FakeDiscord) -> None:
    await _slash(fake, "narrate", who=BOB, text="delete 1")
    await _slash(fake, "narrate", who=BOB, text="delete 2")


async def test_a_delete_reaches_the_parts_sent_before_a_refusal(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    await _narrated(fake, bot, connect)
    # The thread takes the answer's first two messages and refuses the third.
    fake.fail("POST", r"^/channels/\d+/messages$", 403, MISSING, times=1, skip=2)
    asked = await fake.say(f"<@{APP}> who knows about kafka?", who=CAROL)
    await until(lambda: _quoted(fake, CAROL_DM))  # the whole answer, by DM
    await _kept(bot)
    assert _quoted(fake, asked)  # what the thread took before it refused
    await _deleted(fake)
    assert not _quoted(fake, asked), _shown(fake, asked)
    assert not _quoted(fake, CAROL_DM), _shown(fake, CAROL_DM)


async def test_a_delete_reaches_the_parts_sent_before_a_lost_one(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    await _narrated(fake, bot, connect)
    # The third message's every try is a 5xx: it may be there, so no copy goes by DM.
    fake.fail("POST", r"^/channels/\d+/messages$", 503, UNAVAILABLE, times=3, skip=2)
    asked = await fake.say(f"<@{APP}> who knows about kafka?", who=CAROL)
    path = f"/channels/{asked}/messages"  # the thread on the mention
    await until(lambda: len([c for c in fake.posted(path) if c.path == path]) >= 5)
    await _kept(bot)
    assert _quoted(fake, asked)
    await _deleted(fake)
    assert not _quoted(fake, asked), _shown(fake, asked)


async def test_a_delete_reaches_the_dm_parts_sent_before_a_lost_one(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    await _narrated(fake, bot, connect)
    fake.fail("POST", r"/threads$", 403, MISSING, times=5)
    fake.fail("POST", rf"^/channels/{GENERAL}/messages$", 403, MISSING, times=5)
    fake.fail("POST", rf"^/channels/{CAROL_DM}/messages$", 503, UNAVAILABLE, times=3, skip=2)
    await fake.say(f"<@{APP}> who knows about kafka?", who=CAROL)
    await until(lambda: _quoted(fake, CAROL_DM))
    await _kept(bot)
    await _deleted(fake)
    assert not _quoted(fake, CAROL_DM), _shown(fake, CAROL_DM)
