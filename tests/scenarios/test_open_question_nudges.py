"""An open question nobody closes is followed up kindly (issue #3).

Before, a question stayed open for ever when its asker never came back to say it was answered.
Now, 14 days after asking, its asker gets one DM: is it still open? Answered / Still open /
Withdraw, each a button acting on that question (not the newest). "Still open" earns one more
DM 14 days later, and then none; the bot never closes a question on its own. Paused askers,
people gone or no longer taking part get no DM. An asker gets one such DM a week at most, and
a question months old when the follow-up came (it predates it) is never asked about: the
first wake-up after upgrading sent every asker a DM for each old open question at once.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update
from sqlmodel import col, select

from narrate_bot.storage.question_tables import ANSWERED, OPEN, WITHDRAWN, OpenQuestion
from tests.scenarios.test_open_question_closing import _two_questions

ASKED = "Your question in #team from"
COBOL = "— “cobol” — is it still open?"
REXX = "— “rexx” — is it still open?"


async def _status(bot, text: str) -> str:
    async with bot.db.snapshot() as session:
        found = await session.exec(select(OpenQuestion).where(OpenQuestion.text == text))
        return found.one().status


def _buttons(out: str) -> list[str]:
    return [line.strip() for line in out.splitlines() if "(button)" in line]


async def test_asked_once_after_two_weeks_and_the_buttons_act_on_that_question(chat, bot):
    await _two_questions(chat)
    assert ASKED not in await chat.say(":advance 13d")
    out = await chat.say(":advance 1d")
    assert out.count(ASKED) == 1 and COBOL in out, out  # one DM a week: the oldest first
    assert (
        "— “cobol” — is it still open? If someone answered it, /narrate ask-channel answered q1 "
        "by @name thanks them. Still open: I'll ask once more in 14 days. If you don't reply, "
        "it stays open and I won't ask again; I never close it on my own." in out
    )
    buttons = _buttons(out)
    answered = next(b for b in buttons if b.startswith("(button) Answered") and "q1" in b)
    assert answered == "(button) Answered: /narrate ask-channel answered q1"
    assert "(button) Still open: /narrate ask-channel still-open q1" in buttons
    assert "(button) Withdraw: /narrate ask-channel withdraw q1" in buttons
    # rexx, the same day's, a week later: each question its own DM, once.
    assert ASKED not in await chat.say(":advance 6d")
    out = await chat.say(":advance 1d")
    assert out.count(ASKED) == 1 and REXX in out, out
    # Never again by itself: another month passes without a DM.
    assert ASKED not in await chat.say(":advance 30d")

    # The older question (cobol, q1) is answered from its DM, though rexx is the newest.
    out = await chat.say("zoe in dm: /narrate ask-channel answered q1")
    assert "I marked your question “cobol” in #team answered" in out
    assert await _status(bot, "cobol") == ANSWERED
    assert await _status(bot, "rexx") == OPEN
    out = await chat.say("zoe in dm: /narrate ask-channel answered q1")
    assert "That question isn't open any more" in out
    # Someone else's question can't be closed by its number.
    out = await chat.say("bob: /narrate join", "bob in dm: /narrate ask-channel withdraw q2")
    assert "That question isn't open any more" in out
    assert await _status(bot, "rexx") == OPEN
    out = await chat.say("zoe in dm: /narrate ask-channel withdraw q2")
    assert "Withdrawn: your question “rexx” in #team" in out
    assert await _status(bot, "rexx") == WITHDRAWN


async def test_still_open_asks_once_more_and_then_never(chat, bot):
    await _two_questions(chat)
    await chat.say(":advance 14d")
    out = await chat.say("zoe in dm: /narrate ask-channel still-open q1")
    assert "Thanks: your question “cobol” in #team stays open. I'll ask once more in 14" in out
    out = await chat.say(":advance 7d")
    assert REXX in out and COBOL not in out  # rexx's first DM, a week after cobol's
    assert ASKED not in await chat.say(":advance 6d")
    out = await chat.say(":advance 1d")
    assert COBOL in out and REXX not in out  # only the one said to be still open
    assert "This is the last time I ask; it stays open until you close it." in out
    out = await chat.say("zoe in dm: /narrate ask-channel still-open q1")
    assert "stays open. I won't ask about it again." in out
    assert ASKED not in await chat.say(":advance 60d")
    assert await _status(bot, "cobol") == OPEN  # never closed by the bot
    # The export lists what was asked with the question.
    out = await chat.say("zoe: /narrate export")
    data = json.loads(Path(out.split("saved to ", 1)[1].strip()).read_text())
    cobol, rexx = data["open_questions"]
    assert cobol["status"] == "open"
    assert cobol["follow_up"]["times_asked"] == 2
    assert cobol["follow_up"]["said_still_open_at"] is not None
    assert rexx["follow_up"]["times_asked"] == 1
    assert rexx["follow_up"]["said_still_open_at"] is None


async def test_answered_by_from_the_dm_credits_who_answered(chat):
    await _two_questions(chat)
    await chat.say("bob: /narrate join", "bob: /narrate fixed the cobol build", ":advance 14d")
    out = await chat.say("zoe in dm: /narrate ask-channel answered q1 by @bob")
    assert "I marked your question “cobol” in #team answered, thanks to @bob" in out
    assert "@zoe says you answered their question “cobol” in #team. Thank you!" in out


async def test_paused_gone_or_left_askers_get_no_dm(chat):
    await _two_questions(chat)
    await chat.say("zoe: /narrate pause 30d")
    assert ASKED not in await chat.say(":advance 20d")
    # Back from the pause: asked then, not before.
    assert ASKED in await chat.say(":advance 11d")

    await chat.say(
        "amy: /narrate join", "amy: /narrate ask-channel #team who knows fortran?", ":gone amy"
    )
    await chat.say("ben: /narrate join", "ben: /narrate ask-channel #team who knows ada?")
    await chat.say("ben: /narrate leave")
    out = await chat.say(":advance 20d")
    assert "fortran" not in out and "“ada”" not in out


async def _asked_days_ago(bot, ages: dict[str, int]) -> None:
    """Questions asked before the follow-up existed, as an upgrade finds them."""
    now = bot.clock.now()
    async with bot.db.transaction() as session:
        for text, days in ages.items():
            await session.exec(
                update(OpenQuestion)
                .where(col(OpenQuestion.text) == text)
                .values(asked_at=now - timedelta(days=days))
            )


async def test_after_an_upgrade_one_dm_a_week_the_oldest_first(chat, bot):
    await _two_questions(chat)
    await chat.say("zoe: /narrate ask-channel #team who knows pl/i?")
    await _asked_days_ago(bot, {"cobol": 16, "rexx": 20, "pl/i": 18})
    out = await chat.say(":advance 1m")  # the first wake-up after the upgrade
    assert out.count(ASKED) == 1 and REXX in out, out
    assert ASKED not in await chat.say(":advance 6d")
    out = await chat.say(":advance 1d")
    assert out.count(ASKED) == 1 and "“pl/i”" in out, out
    assert ASKED not in await chat.say(":advance 6d")
    out = await chat.say(":advance 1d")
    assert out.count(ASKED) == 1 and COBOL in out, out
    assert ASKED not in await chat.say(":advance 60d")


async def test_a_months_old_question_is_never_asked_about(chat, bot):
    await _two_questions(chat)
    await _asked_days_ago(bot, {"cobol": 90, "rexx": 41})
    out = await chat.say(":advance 1m")
    assert out.count(ASKED) == 1 and REXX in out, out  # 41 days: still asked
    assert COBOL not in await chat.say(":advance 60d")
    assert await _status(bot, "cobol") == OPEN  # open as before, for its asker to close
