"""Discord: ``/narrate-topics follow topic:`` and ``unfollow topic:`` follow and unfollow a
topic (there was no such command: "follow kafka" was answered as a mistyped command)."""

from __future__ import annotations

from typing import Any

from narrate_bot.app import Bot

from .fake import ALICE, FakeDiscord


def _sub(name: str, **options: Any) -> dict[str, Any]:
    fields = [{"name": k, "type": 3, "value": v} for k, v in options.items()]
    return {
        "id": "6000",
        "name": "narrate-topics",
        "type": 1,
        "options": [{"name": name, "type": 1, "options": fields}],
    }


async def _said(fake: FakeDiscord, data: dict[str, Any]) -> str:
    answer = await fake.answer(await fake.interaction(2, data, who=ALICE))
    return str(answer["data"]["content"])


async def test_follow_list_and_unfollow_through_the_slash_commands(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    await connect(bot)
    out = await _said(fake, _sub("follow", topic="Kafka streams tuned"))
    assert out.startswith("Following Kafka streams tuned."), out
    assert "unfollow" in out and "Kafka streams tuned stops it" in out, out
    out = await _said(fake, _sub("follow"))
    assert "You follow: Kafka streams tuned." in out, out
    out = await _said(fake, _sub("unfollow", topic="kafka streams tuned"))
    assert "Unfollowed Kafka streams tuned" in out and "You follow no topics." in out, out
