"""A private thread is read by the people in it who can see its parent channel. The bot records a
reader when they use it inside; nothing tells it when someone loses the parent or is taken out
of the thread (those events need the members intent), so it checks again whenever they use the
bot anywhere. A deleted thread is read by no one."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from aiohttp import web
from sqlmodel import col, select

from narrate_bot.app import Bot
from narrate_bot.storage.tables import Channel, ChannelMember

from . import fake as F
from .fake import ALICE, CAROL, FAY, GENERAL, GUILD, SECRET, FakeDiscord, J

# What each first response says is checked, not how soon it came: on a loaded machine the 1 s
# deferral would be reached ("thinking…" first). A test about the deferral sets ``defer_after``.
pytestmark = pytest.mark.undeferred

THREAD = "3500"  # hsm-plans, a private thread in #secret (keepers only)
HSM = "rotating the hsm master key tonight"


def _thread(archived: bool = False) -> dict[str, Any]:
    return {"id": THREAD, "type": 12, "guild_id": GUILD, "parent_id": SECRET, "name": "hsm-plans",
            "owner_id": ALICE["id"], "member_count": 2, "message_count": 0,
            "rate_limit_per_user": 0,
            "thread_metadata": {"archived": archived, "auto_archive_duration": 1440,
                                "archive_timestamp": "2026-11-23T09:00:00+00:00",
                                "locked": False, "invitable": False}}  # fmt: skip


class Thread:
    """What Discord answers about the thread: who is in it, and whether it still exists."""

    def __init__(self, fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> None:
        self.members = {ALICE["id"], CAROL["id"], FAY["id"]}
        self.deleted = False
        self.archived = False
        answer = fake._answer

        def patched(method: str, path: str, body: Any) -> web.Response:
            if match := re.fullmatch(rf"/channels/{THREAD}/thread-members/(\d+)", path):
                uid = match.group(1)
                if uid in self.members and not self.deleted:
                    return J({"id": THREAD, "user_id": uid, "flags": 0,
                              "join_timestamp": "2026-11-23T09:00:00+00:00"})  # fmt: skip
                return J({"message": "Unknown Member", "code": 10007}, 404)
            if method == "GET" and path == f"/channels/{THREAD}":
                if self.deleted:
                    return J({"message": "Unknown Channel", "code": 10003}, 404)
                return J(_thread(archived=self.archived))
            return answer(method, path, body)

        monkeypatch.setattr(fake, "_answer", patched)
        fake.guild["threads"].append(_thread())


@pytest.fixture
def thread(fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> Thread:
    return Thread(fake, monkeypatch)


async def _whoknows(fake: FakeDiscord, who: dict[str, Any], channel: str = GENERAL) -> str:
    answer = await fake.answer(await fake.slash("whoknows", who=who, channel=channel, topic="hsm"))
    return str(answer["data"]["content"])


async def _carol_used_the_bot_in_the_thread(fake: FakeDiscord, bot: Bot, connect) -> None:
    """alice narrates there; carol and fay, keepers in the thread, ask there once."""
    await connect(bot)
    await fake.answer(await fake.slash("narrate", who=ALICE, channel=THREAD, text=HSM))
    for reader in (CAROL, FAY):
        assert HSM in await _whoknows(fake, reader, channel=THREAD)


async def test_a_thread_member_finds_its_narrations_from_anywhere(
    fake: FakeDiscord, bot: Bot, connect, thread: Thread
) -> None:
    await _carol_used_the_bot_in_the_thread(fake, bot, connect)
    assert HSM in await _whoknows(fake, CAROL)


@pytest.mark.parametrize("change", ["lost the parent channel", "removed from the thread"])
async def test_someone_who_can_no_longer_read_the_thread_is_not_shown_it(
    fake: FakeDiscord,
    bot: Bot,
    connect,
    thread: Thread,
    monkeypatch: pytest.MonkeyPatch,
    change: str,
) -> None:
    await _carol_used_the_bot_in_the_thread(fake, bot, connect)
    if change == "lost the parent channel":
        monkeypatch.setitem(F.ROLES, CAROL["id"], [])  # no keepers role: no #secret
    else:
        thread.members.discard(CAROL["id"])  # still a keeper
    assert HSM not in await _whoknows(fake, CAROL)
    assert HSM in await _whoknows(fake, FAY)  # still in it


async def test_an_archived_thread_is_checked_too(
    fake: FakeDiscord, bot: Bot, connect, thread: Thread, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Archived, the thread leaves discord.py's cache (as does every thread on a restart)."""
    await _carol_used_the_bot_in_the_thread(fake, bot, connect)
    thread.archived = True
    await fake.dispatch("THREAD_UPDATE", _thread(archived=True))
    monkeypatch.setitem(F.ROLES, CAROL["id"], [])
    assert HSM not in await _whoknows(fake, CAROL)
    assert HSM in await _whoknows(fake, FAY)


async def _thread_readers(bot: Bot) -> list[str]:
    async with bot.db.transaction() as session:
        rows = await session.exec(
            select(ChannelMember.user_id)
            .join(Channel, col(Channel.id) == col(ChannelMember.channel_pk))
            .where(Channel.channel_id == THREAD)
        )
        return list(rows.all())


async def test_a_deleted_thread_is_read_by_no_one(
    fake: FakeDiscord, bot: Bot, connect, thread: Thread
) -> None:
    """Forgotten when Discord says so, before anyone asks anything."""
    await _carol_used_the_bot_in_the_thread(fake, bot, connect)
    assert sorted(await _thread_readers(bot)) == [ALICE["id"], CAROL["id"], FAY["id"]]
    thread.deleted = True
    await fake.dispatch(
        "THREAD_DELETE", {"id": THREAD, "guild_id": GUILD, "parent_id": SECRET, "type": 12}
    )
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30.0  # only a failure waits this long, even on a loaded machine
    while await _thread_readers(bot):
        assert loop.time() < deadline, "the deleted thread kept its readers"
        await asyncio.sleep(0.01)
    assert HSM not in await _whoknows(fake, CAROL)
    assert HSM not in await _whoknows(fake, FAY)
