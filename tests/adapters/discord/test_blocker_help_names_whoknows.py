"""Discord: a narrated blocker's private confirmation names the /whoknows command by its topic.

Before, "/narrate stuck on postgres autovacuum thresholds" was confirmed with "… @alice narrates
about it: /whoknows topic: knows postgres autovacuum thresholds shows why": the core wrote
"/narrate who knows <topic>" where everything else writes "/narrate who <topic>", and Discord's
wording put "knows" into the topic, so typing the hint searched for "knows" too. Through the
fake gateway and the real discord.py client."""

from __future__ import annotations

from narrate_bot.app import Bot

from .fake import ALICE, CAROL, FakeDiscord, pinged


async def test_the_hint_names_the_topic_alone(fake: FakeDiscord, bot: Bot, connect) -> None:
    await connect(bot)
    await fake.answer(
        await fake.slash("narrate", text="tuned postgres autovacuum thresholds", who=ALICE)
    )
    told = await fake.answer(
        await fake.slash("narrate", text="stuck on postgres autovacuum thresholds", who=CAROL)
    )
    content = told["data"]["content"]
    assert told["data"]["flags"] & 64 and pinged(told["data"]) == set(), told  # private
    assert f"<@{ALICE['id']}> narrates about it" in content, content
    assert "/whoknows topic: postgres autovacuum thresholds shows why." in content, content
    assert "knows postgres" not in content, content
