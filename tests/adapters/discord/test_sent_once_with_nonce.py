"""Discord: a 5xx after which the message may exist is sent again with the same nonce, and the
person gets it once.

Before, a 5xx on a followed-topics DM (or any proactive post) was final: the message might
have been created, so it was never sent again, and a passing outage lost that week's digest.
A mention's answer ("@narrate-bot who knows about kafka?") failing the same way went unanswered,
or was sent by DM as well though it might be in the channel already. Now every message carries
a nonce derived from what it delivers, with ``enforce_nonce`` (discord.py sends it with any
nonce), and is sent again with it: Discord (the fake honours it as documented: the same author
and nonce within a few minutes return the message made, and make none) answers with the
message it made, or makes it now.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text as sql

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.features.schedule_jobs import tick

from .conftest import until
from .fake import ALICE, APP, BOB, CAROL, GENERAL, FakeDiscord
from .test_follow_digest import _follow, _slash

MONDAY = datetime(2026, 11, 30, 9, 1, tzinfo=UTC)
UNAVAILABLE = {"message": "503: Service Unavailable", "code": 0}
CAROL_DM = f"8{CAROL['id']}"


@pytest.fixture(autouse=True)
def _resend_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """No waits between the tries: the test is about what is created, not when."""
    try:
        from narrate_bot_adapters.discord import once
    except ImportError:  # a version without it (the test then shows what it lacked)
        return
    monkeypatch.setattr(once, "RESEND_AFTER", (0.0, 0.0))


async def _digest_status(bot: Bot) -> list[str]:
    async with bot.db.transaction() as session:
        return [str(r[0]) for r in (await session.exec(sql("SELECT status FROM follow_digest")))]


@pytest.mark.parametrize("made", [False, True], ids=["not-made", "made-then-5xx"])
async def test_a_digest_dm_that_met_a_5xx_arrives_once(
    fake: FakeDiscord, bot: Bot, clock: ManualClock, connect: Any, made: bool
) -> None:
    await connect(bot)
    await _follow(fake, CAROL, "kafka")
    clock.set(datetime(2026, 11, 24, 12, tzinfo=UTC))
    await _slash(fake, "narrate", who=ALICE, channel=GENERAL, text="kafka consumer lag fixed")
    fake.fail("POST", rf"^/channels/{CAROL_DM}/messages$", 503, UNAVAILABLE, made=made)
    clock.set(MONDAY)
    await tick(bot, MONDAY)
    got = fake.sent.get(CAROL_DM, [])
    assert len(got) == 1, got
    assert "kafka consumer lag fixed" in str(got[0]["content"]) + str(got[0]["embeds"])
    tries = [c.body.get("nonce") for c in fake.posted(f"/channels/{CAROL_DM}/messages")]
    assert len(tries) == 2 and tries[0] == tries[1] and len(tries[0]) <= 25, tries
    assert await _digest_status(bot) == ["sent"]


@pytest.mark.parametrize("made", [False, True], ids=["not-made", "made-then-5xx"])
async def test_a_mention_answer_that_met_a_5xx_arrives_once(
    fake: FakeDiscord, bot: Bot, connect: Any, made: bool
) -> None:
    await connect(bot)
    await fake.answer(await fake.slash("narrate", who=BOB, text="kafka consumer lag fixed"))
    # The answer goes in a thread opened on the question: the thread's id is the message's,
    # one of the fake's (7…), unlike #general (3000) and DMs (8…).
    fake.fail("POST", r"^/channels/7\d+/messages$", 503, UNAVAILABLE, made=made)
    asked = await fake.say(f"<@{APP}> who knows about kafka?", who=CAROL)
    await until(lambda: any(c.status == 200 for c in fake.posted(f"/channels/{asked}/messages")))
    answers = fake.sent.get(asked, [])
    assert len(answers) == 1, answers
    assert f"<@{BOB['id']}>" in str(answers[0]["content"]), answers
    tries = [c.status for c in fake.posted(f"/channels/{asked}/messages")]
    assert tries == [503, 200], tries
    # Nothing of it went by DM as well.
    assert not [m for m in fake.sent.get(CAROL_DM, []) if "kafka consumer lag" in str(m["content"])]


async def test_a_repeat_after_the_window_is_a_new_message(fake: FakeDiscord) -> None:
    """The fake keeps Discord's rule both ways: a repeated nonce makes nothing new only within
    the window, and a message without ``enforce_nonce`` is always new."""
    body = {"content": "hi", "nonce": "n1", "enforce_nonce": True}
    first = fake._answer("POST", f"/channels/{GENERAL}/messages", body)
    again = fake._answer("POST", f"/channels/{GENERAL}/messages", body)
    assert first.text == again.text
    fake._answer("POST", f"/channels/{GENERAL}/messages", {"content": "hi", "nonce": "n1"})
    assert len(fake.sent[GENERAL]) == 2
