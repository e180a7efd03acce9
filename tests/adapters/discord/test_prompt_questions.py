"""A channel prompt's own question on Discord, through the real discord.py client against the
fake REST API: set with ``/narrate-schedules add … question:`` or ``/narrate-schedules
question``, asked by the prompt and its thread's title, and by its "Write my update" modal,
whose label (45 characters at most on Discord) shows the question's opening words, cut at a
word's end, when the whole question doesn't fit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from narrate_bot.app import Bot

from .fake import CAROL, GENERAL, FakeDiscord

LONG = "What did you ship today, and what is the one thing that slowed you down most?"


def _sub(name: str, **options: Any) -> dict[str, Any]:
    typed = [
        {"name": k, "type": 4 if isinstance(v, int) else 3, "value": v} for k, v in options.items()
    ]
    return {"id": "6000", "name": "narrate-schedules", "type": 1,
            "options": [{"name": name, "type": 1, "options": typed}]}  # fmt: skip


async def _prompt_after(fake: FakeDiscord, bot: Bot, clock, days: int) -> dict[str, Any]:
    before = len(fake.posted(f"/channels/{GENERAL}/messages"))
    await bot.run_due(clock.now() + timedelta(days=days))
    posted = fake.posted(f"/channels/{GENERAL}/messages")[before:]
    [prompt] = [p.body for p in posted if "work out loud" in (p.body.get("content") or "")]
    return prompt


async def _modal(fake: FakeDiscord, prompt: dict[str, Any]) -> dict[str, Any]:
    custom_id = prompt["components"][0]["components"][0]["custom_id"]
    modal = await fake.answer(await fake.click(custom_id, who=CAROL))
    assert modal["type"] == 9, modal
    return modal


async def test_the_prompt_its_thread_and_its_modal_ask_the_channels_question(
    fake, bot: Bot, clock, connect
):
    await connect(bot)
    added = await fake.answer(
        await fake.interaction(
            2, _sub("add", channel=f"<#{GENERAL}>", when="daily 09:30 UTC", question=LONG),
            admin=True,
        )
    )  # fmt: skip
    assert f"It asks: “{LONG}”" in added["data"]["content"]
    prompt = await _prompt_after(fake, bot, clock, 1)
    assert f"Time to work out loud: {LONG}" in prompt["content"]
    assert "what are you working on" not in prompt["content"]
    [thread] = fake.posted("/threads")
    assert thread.body["name"].startswith(f"Time to work out loud: {LONG[:40]}")
    assert len(thread.body["name"]) <= 100

    modal = await _modal(fake, prompt)
    assert modal["data"]["title"] == "Write my update"
    text_input = modal["data"]["components"][0]["components"][0]
    label, placeholder = text_input["label"], text_input["placeholder"]
    assert len(label) <= 45 and label == "What did you ship today, and what is the one…"
    assert placeholder == LONG  # within the placeholder's 100
    saved = await fake.answer(
        await fake.submit(modal["data"]["custom_id"], "shipped the importer", who=CAROL)
    )
    assert saved["data"]["content"].startswith("Noted as #1")


async def test_the_question_changed_later_is_the_next_prompts_and_forms(
    fake, bot: Bot, clock, connect
):
    await connect(bot)
    await fake.answer(
        await fake.interaction(
            2, _sub("add", channel=f"<#{GENERAL}>", when="daily 09:30 UTC"), admin=True
        )
    )
    changed = await fake.answer(
        await fake.interaction(2, _sub("question", id=1, question="Anything blocked?"), admin=True)
    )
    assert "asks: “Anything blocked?”" in changed["data"]["content"]
    shown = await fake.answer(await fake.interaction(2, _sub("question", id=1), who=CAROL))
    assert "asks “Anything blocked?”" in shown["data"]["content"]
    # The reply names the command as Discord spells it.
    assert "/narrate-schedules question id: 1 question: default" in changed["data"]["content"]

    prompt = await _prompt_after(fake, bot, clock, 1)
    assert "Time to work out loud: Anything blocked?" in prompt["content"]
    modal = await _modal(fake, prompt)
    assert modal["data"]["components"][0]["components"][0]["label"] == "Anything blocked?"
