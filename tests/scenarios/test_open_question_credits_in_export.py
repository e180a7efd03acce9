"""``/narrate export`` shows the credits for answering open questions, and forget-me of either
side takes them.

``ask-channel answered by @bob`` keeps a credit naming bob and the question. bob's forget-me
removed it, but neither bob's export nor the asker's showed it: a row about them they could
not see. Now the asker's export lists the credits they gave (the question, who answered) and
bob's those he received (when; never the asker's question). The asker's forget-me takes the
credit with their question."""

from __future__ import annotations

from sqlmodel import select

from narrate_bot.storage.question_tables import QuestionCredit
from tests.scenarios.test_export_completeness import _export
from tests.scenarios.test_open_question_closing import _two_questions


async def _credits(bot) -> list[QuestionCredit]:
    async with bot.db.snapshot() as session:
        return list((await session.exec(select(QuestionCredit))).all())


async def _credited(chat) -> None:
    await _two_questions(chat)
    await chat.say("bob: /narrate join", "bob: /narrate fixed the cobol build")
    out = await chat.say("zoe: /narrate ask-channel answered by @bob")
    assert "thanks to @bob" in out


async def test_both_exports_show_the_credit(bot, chat):
    await _credited(chat)
    zoe, bob = await _export(chat, "zoe"), await _export(chat, "bob")

    [given] = zoe["open_question_credits_given"]
    assert given["question"] == "rexx"
    assert given["answered_by"] == "bob"
    assert given["answered_at"] is not None
    assert zoe["open_question_credits_received"] == []

    [received] = bob["open_question_credits_received"]
    assert received == {"answered_at": given["answered_at"]}
    assert "rexx" not in str(bob)  # the question is zoe's: not in bob's export
    assert bob["open_question_credits_given"] == []
    # Nobody else's export holds it.
    await chat.say("alice: /narrate reviewed the rexx notes")
    alice = await _export(chat, "alice")
    assert alice["open_question_credits_given"] == alice["open_question_credits_received"] == []


async def test_the_askers_forget_me_takes_the_credit(bot, chat):
    await _credited(chat)
    assert len(await _credits(bot)) == 1
    await chat.say("zoe: /narrate forget-me", "zoe: /narrate forget-me confirm")
    assert await _credits(bot) == []
    assert (await _export(chat, "bob"))["open_question_credits_received"] == []


async def test_the_answerers_forget_me_takes_the_credit(bot, chat):
    await _credited(chat)
    await chat.say("bob: /narrate forget-me", "bob: /narrate forget-me confirm")
    assert await _credits(bot) == []
    zoe = await _export(chat, "zoe")
    assert zoe["open_question_credits_given"] == []
    assert [q["status"] for q in zoe["open_questions"]] == ["open", "answered"]
