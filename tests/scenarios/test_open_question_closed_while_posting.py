"""A question its asker closes while its post is still going out.

Marked answered meanwhile, its post was deleted as soon as it was out (``keep_post`` only
noted a post for an open question, and took any other for a forgotten asker's): the answers
people were writing under it went with it. Withdrawn meanwhile, the asker was told "I can't
find its post to delete; please delete it" about a post the bot then deleted itself. Now the
answered question's post stays, noted on its row, and a withdrawal says the post will go once
it's out, then deletes it.
"""

from __future__ import annotations

import asyncio

from narrate_bot.events import Platform
from tests.scenarios.test_open_question_post_interrupted import CLICK, POSTED, _Held, _rows


async def _closed_while_posting(chat, bot, how: str) -> tuple[str, str]:
    """What the asker was told when closing it, and what posting it then showed."""
    await chat.say(":channel #questions public", "zoe: /narrate questions-channel #questions")
    console = bot.gateways[Platform.CONSOLE]
    held = bot.gateways[Platform.CONSOLE] = _Held(console)
    first = asyncio.create_task(chat.say(CLICK))
    await asyncio.wait_for(held.started.wait(), 10)
    told = await chat.say(f"zoe: /narrate ask-channel {how}")
    held.release.set()
    return told, await first


async def test_answered_while_posting_keeps_its_post(chat, bot, db):
    told, posted = await _closed_while_posting(chat, bot, "answered")
    assert "I marked your question “cobol mainframes” in #questions answered" in told
    assert "[#questions] @zoe " + POSTED in posted
    assert "removed" not in posted
    [row] = await _rows(db)
    assert row.status == "answered" and row.post_message_id  # forget-me can still delete it


async def test_withdrawn_while_posting_says_so_and_removes_the_post(chat, bot, db):
    told, posted = await _closed_while_posting(chat, bot, "withdraw")
    assert "Withdrawn: your question “cobol mainframes” in #questions" in told
    assert "It was still being posted in #questions; I'll remove it once it's out." in told
    assert "can't find its post" not in told
    assert "[console] removed" in posted
    [row] = await _rows(db)
    assert row.status == "withdrawn" and row.post_message_id == ""  # gone: nothing to delete
