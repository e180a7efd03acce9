"""The DM asking whether an open question is still open, on Discord through discord.py and the
fake gateway: one DM per question after 14 days, with three buttons; a click in the DM acts on
that question. Before, nobody was ever asked and a forgotten question stayed open for ever."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from narrate_bot.app import Bot

from .fake import ALICE, GENERAL, FakeDiscord
from .test_open_question_post_lost import _rows, _said


def _nudges(fake: FakeDiscord) -> list[dict[str, Any]]:
    return [
        c.body
        for c in fake.posted(f"/channels/8{ALICE['id']}/messages")
        if "is it still open?" in str(c.body.get("content"))
    ]


def _buttons(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (b["label"], b["custom_id"])
        for row in body.get("components", [])
        for b in row.get("components", [])
    ]


async def test_the_dm_asks_once_and_its_buttons_act_on_that_question(
    fake: FakeDiscord, bot: Bot, connect
):
    await connect(bot)
    await fake.answer(await fake.slash("narrate", admin=True, text="questions-channel here"))
    assert (await _said(fake, f"ask-channel <#{GENERAL}> cobol")).startswith("Posted")
    assert (await _said(fake, f"ask-channel <#{GENERAL}> rexx")).startswith("Posted")
    await bot.run_due(bot.clock.now() + timedelta(days=13))
    assert _nudges(fake) == []
    await bot.run_due(bot.clock.now() + timedelta(days=1))
    # One DM a week per asker: cobol's now, rexx's a week later.
    for _ in range(100):
        if len(_nudges(fake)) == 1:
            break
        await asyncio.sleep(0.05)
    assert len(_nudges(fake)) == 1
    await bot.run_due(bot.clock.now() + timedelta(days=7))
    for _ in range(100):
        if len(_nudges(fake)) == 2:
            break
        await asyncio.sleep(0.05)
    cobol = next(n for n in _nudges(fake) if "“cobol”" in str(n["content"]))
    assert "Your question in #general from " in cobol["content"], cobol
    buttons = _buttons(cobol)
    assert [label for label, _ in buttons] == ["Answered", "Still open", "Withdraw"], buttons
    answered, still, _ = (custom_id for _, custom_id in buttons)

    told = await fake.answer(await fake.click(still, in_guild=False, who=ALICE))
    assert "your question “cobol” in #general stays open." in told["data"]["content"], told
    told = await fake.answer(await fake.click(answered, in_guild=False, who=ALICE))
    assert "I marked your question “cobol” in #general answered" in told["data"]["content"]
    statuses = {row.text: row.status for row in await _rows(bot)}
    assert statuses == {"cobol": "answered", "rexx": "open"}

    # The DM's typed form, in Discord's words (/narrate-topics ask-channel question: …), acts
    # on the question it names too, instead of posting "answered q2" as a new question.
    rexx = next(n for n in _nudges(fake) if "“rexx”" in str(n["content"]))
    assert "/narrate-topics ask-channel question: answered q2 by @name" in rexx["content"]
    told = await fake.answer(
        await fake.slash("narrate-topics", sub="ask-channel", question="answered q2")
    )
    assert "I marked your question “rexx” in #general answered" in told["data"]["content"], told
    assert {row.status for row in await _rows(bot)} == {"answered"}
