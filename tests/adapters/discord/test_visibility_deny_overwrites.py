"""A channel @everyone may view can still be closed to some: an overwrite denying View Channel to
a role ("everyone but guests") or to one person. Its narrations are shown only to people who
can read it, never to those it is closed to: not in answers, and not after the channel turned
that way while the bot was running or while it was down."""

from __future__ import annotations

from typing import Any

import pytest

from narrate_bot.app import Bot

from . import fake as F
from .fake import ALICE, BOB, CAROL, VIEW, FakeDiscord, text_channel
from .test_bot_back_by_role import _kind

GUESTS = "2200"  # a role bob has
STAFF = "3002"  # #staff: everyone may view it, except as its overwrites say
BOT_ROLE = "2300"  # the role Discord manages for another bot
SECRET_TEXT = "planning the layoffs in the payments team"


def _role(rid: str, name: str, **extra: Any) -> dict[str, Any]:
    return {"id": rid, "name": name, "permissions": "0", "position": 2, "color": 0,
            "hoist": False, "managed": False, "mentionable": False, **extra}  # fmt: skip


def _deny(target: str, kind: int) -> dict[str, Any]:
    return {"id": target, "type": kind, "allow": "0", "deny": str(VIEW)}


CLOSED_TO_BOB = {
    "a role bob has": [_deny(GUESTS, 0)],
    "bob himself": [_deny(BOB["id"], 1)],
}


@pytest.fixture
def guests(fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> None:
    fake.guild["roles"].append(_role(GUESTS, "guests"))
    monkeypatch.setitem(F.ROLES, BOB["id"], [GUESTS])


async def _whoknows(fake: FakeDiscord, who: dict[str, Any], topic: str = "layoffs") -> str:
    answer = await fake.answer(await fake.slash("whoknows", who=who, topic=topic))
    return str(answer["data"]["content"])


@pytest.mark.parametrize("overwrites", CLOSED_TO_BOB.values(), ids=CLOSED_TO_BOB.keys())
async def test_a_channel_closed_to_someone_is_never_shown_to_them(
    fake: FakeDiscord, bot: Bot, connect, guests: None, overwrites: list[dict[str, Any]]
) -> None:
    fake.guild["channels"].append(text_channel(STAFF, "staff", overwrites))
    await connect(bot)
    await fake.answer(await fake.slash("narrate", who=ALICE, channel=STAFF, text=SECRET_TEXT))

    answer = await _whoknows(fake, BOB)
    assert SECRET_TEXT not in answer
    assert f"<@{ALICE['id']}>" not in answer  # nor is alice named for it
    # carol can read #staff (nothing denies her): she is told, though she never used it.
    assert SECRET_TEXT in await _whoknows(fake, CAROL)


@pytest.mark.parametrize("overwrites", CLOSED_TO_BOB.values(), ids=CLOSED_TO_BOB.keys())
async def test_narrations_from_before_a_channel_was_closed_stop_showing(
    fake: FakeDiscord, bot: Bot, connect, guests: None, overwrites: list[dict[str, Any]]
) -> None:
    """#staff was open to all when alice narrated; then bob is shut out of it, while the bot
    runs (a channel update) or while it was down (the next connection describes it anew)."""
    fake.guild["channels"].append(text_channel(STAFF, "staff"))
    await connect(bot)
    await fake.answer(await fake.slash("narrate", who=ALICE, channel=STAFF, text=SECRET_TEXT))
    assert SECRET_TEXT in await _whoknows(fake, BOB)  # public: everyone may read it

    closed = text_channel(STAFF, "staff", overwrites)
    await fake.dispatch("CHANNEL_UPDATE", closed)
    assert SECRET_TEXT not in await _whoknows(fake, BOB)
    assert SECRET_TEXT in await _whoknows(fake, CAROL)


async def test_closed_while_the_bot_was_down(
    fake: FakeDiscord, bot: Bot, connect, guests: None
) -> None:
    fake.guild["channels"].append(text_channel(STAFF, "staff"))
    first = await connect(bot)
    await fake.answer(await fake.slash("narrate", who=ALICE, channel=STAFF, text=SECRET_TEXT))
    await first.close()

    fake.guild["channels"][-1] = text_channel(STAFF, "staff", [_deny(GUESTS, 0)])
    await connect(bot)  # the upgraded bot connects: the guild arrives and is described anew
    await _kind(bot, STAFF, "private")  # described: no command raced the guild's first look
    assert SECRET_TEXT not in await _whoknows(fake, BOB)
    assert SECRET_TEXT in await _whoknows(fake, CAROL)


async def test_keeping_a_bot_out_of_a_channel_keeps_it_public(
    fake: FakeDiscord, bot: Bot, connect
) -> None:
    """Only that bot holds the role Discord manages for it: no person is shut out."""
    fake.guild["roles"].append(_role(BOT_ROLE, "music", managed=True, tags={"bot_id": "5555"}))
    fake.guild["channels"].append(text_channel(STAFF, "staff", [_deny(BOT_ROLE, 0)]))
    await connect(bot)
    await fake.answer(await fake.slash("narrate", who=ALICE, channel=STAFF, text=SECRET_TEXT))
    assert SECRET_TEXT in await _whoknows(fake, BOB)
