"""Discord: a who-knows answer too long for one message goes out as several, and every one of
them follows the narrations it quotes: their delete, edit and their author's forget-me edit each
part, in the thread on the mention and in the asker's DM (where a channel refuses the answer).
Before, a split answer in a thread was not kept at all, and one by DM kept its first part only:
the quotes in the later parts stayed after the author deleted what they wrote.

Discord splits past 4,096 characters, which takes five people with long team and channel names
to reach; the limits are scaled down here (``render``'s, which the adapter reads as it sends and
edits), through the real discord.py client against the repo's fake REST API and gateway.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlmodel import select

from narrate_bot.app import Bot
from narrate_bot_adapters.discord import render

from .conftest import until
from .fake import APP, BOB, CAROL, GENERAL, FakeDiscord

HUNTER = "kafka consumer lag fixed, hunter2 is the password"
SWORDFISH = "kafka rebalance tuned, swordfish opens the vault"
LIMIT = 100  # Discord's 2,000 (content) and 4,096 (embed), scaled down to split an answer
MISSING = {"message": "Missing Permissions", "code": 50013}
CAROL_DM = f"8{CAROL['id']}"


@pytest.fixture(autouse=True)
def small_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "CONTENT_LIMIT", LIMIT)
    monkeypatch.setattr(render, "EMBED_LIMIT", LIMIT)
    monkeypatch.setattr(render.split_text, "__defaults__", (LIMIT,))


def _text(body: dict[str, Any]) -> str:
    return str(body.get("content") or "") + "".join(
        str(e.get("description") or "") for e in body.get("embeds") or []
    )


def _shown(fake: FakeDiscord, channel: str) -> list[str]:
    """What each of the bot's messages in ``channel`` says now: as posted, or as last edited."""
    shown = []
    for message in fake.sent.get(channel, []):
        path = f"/channels/{channel}/messages/{message['id']}"
        edits = [c.body for c in fake.posted(path, "PATCH") if c.path == path]
        shown.append(_text(edits[-1] if edits else message))
    return shown


async def _slash(fake: FakeDiscord, command: str, **options: object) -> None:
    await fake.answer(await fake.slash(command, **options))


async def _answered(fake: FakeDiscord, bot: Bot, connect: Any, *, by_dm: bool) -> str:
    """Bob narrates twice; Carol asks by mentioning the bot: the channel (the thread on her
    message, or her DM) whose messages are the answer, in several parts."""
    await connect(bot)
    for text in (HUNTER, SWORDFISH):
        await _slash(fake, "narrate", who=BOB, text=text)
    if by_dm:
        fake.fail("POST", r"/threads$", 403, MISSING, times=5)
        fake.fail("POST", rf"^/channels/{GENERAL}/messages$", 403, MISSING, times=5)
    asked = await fake.say(f"<@{APP}> who knows about kafka?", who=CAROL)
    where = CAROL_DM if by_dm else asked
    await until(lambda: any("swordfish" in text for text in _shown(fake, where)))
    await until(lambda: any("hunter2" in text for text in _shown(fake, where)))
    answer = [t for t in _shown(fake, where) if "hunter2" in t or "swordfish" in t]
    assert len(answer) >= 2, answer  # split: the secrets are in different messages
    assert "Who knows about" in _shown(fake, where)[0]
    await _kept(bot)
    return where


async def _kept(bot: Bot) -> None:
    """Wait until the adapter has reported the answer and the core kept it (it follows the
    sends): a change made before would be this test racing the keeping, another test's case.
    The deadline is a guard against a hang, reached only on failure."""
    from narrate_bot.storage.copy_tables import NarrationCopy

    deadline = asyncio.get_running_loop().time() + 30
    while asyncio.get_running_loop().time() < deadline:
        async with bot.db.snapshot() as session:
            if (await session.exec(select(NarrationCopy))).first() is not None:
                return
        await asyncio.sleep(0.01)
    raise AssertionError("the answer was never kept")


@pytest.mark.parametrize("by_dm", [False, True], ids=["thread", "dm"])
async def test_a_delete_reaches_every_part(
    fake: FakeDiscord, bot: Bot, connect: Any, by_dm: bool
) -> None:
    where = await _answered(fake, bot, connect, by_dm=by_dm)
    await _slash(fake, "narrate", who=BOB, text="delete 1")
    await _slash(fake, "narrate", who=BOB, text="delete 2")
    shown = "\n".join(_shown(fake, where))
    assert "hunter2" not in shown and "swordfish" not in shown, shown
    assert "(removed by its author)" in shown and "Who knows about" in shown


@pytest.mark.parametrize("by_dm", [False, True], ids=["thread", "dm"])
async def test_an_edit_reaches_every_part(
    fake: FakeDiscord, bot: Bot, connect: Any, by_dm: bool
) -> None:
    where = await _answered(fake, bot, connect, by_dm=by_dm)
    await _slash(fake, "narrate", who=BOB, text="edit 1 kafka consumer lag fixed")
    await _slash(fake, "narrate", who=BOB, text="edit 2 kafka rebalance tuned")
    shown = "\n".join(_shown(fake, where))
    assert "hunter2" not in shown and "swordfish" not in shown, shown
    assert "kafka consumer lag fixed" in shown and "kafka rebalance tuned" in shown


async def test_the_authors_forget_me_reaches_every_part(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    where = await _answered(fake, bot, connect, by_dm=False)
    await _slash(fake, "narrate", who=BOB, text="forget-me")
    await _slash(fake, "narrate", who=BOB, text="forget-me confirm")
    shown = "\n".join(_shown(fake, where))
    assert "hunter2" not in shown and "swordfish" not in shown, shown
    assert f"<@{BOB['id']}>" not in shown
