"""Connecting, intents, mentions, and what happens when a guild removes the bot."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import select

from narrate_bot.app import Bot
from narrate_bot.config import DiscordSettings, Settings
from narrate_bot.replies import Reply, Visibility
from narrate_bot.storage.tables import Channel, Narration, Tenant
from narrate_bot_adapters.discord.runner import DiscordStartupError, serve

from .conftest import FAST, Recorder, until
from .fake import ALICE, BOB, BOT, GENERAL, GUILD, SECRET

MESSAGE_CONTENT = 1 << 15
MEMBERS = 1 << 1
PRESENCES = 1 << 8


async def test_runs_with_default_intents_only(fake, connect):
    await connect(Recorder())
    intents = fake.identify["intents"]
    assert intents & (MESSAGE_CONTENT | MEMBERS | PRESENCES) == 0


async def test_message_content_is_asked_for_only_when_the_owner_enabled_it(fake, connect):
    settings = Settings(discord=FAST.model_copy(update={"message_content": True}))
    await connect(Recorder(), settings)
    assert fake.identify["intents"] & MESSAGE_CONTENT


async def test_a_rejected_intent_is_one_actionable_error(fake):
    fake.close_code = 4014
    settings = Settings(discord=DiscordSettings(token="fake-token", message_content=True))
    with pytest.raises(DiscordStartupError) as raised:
        await asyncio.wait_for(serve(Recorder(), settings, db=None), 10)  # type: ignore[arg-type]
    message = str(raised.value)
    assert "4014" in message and "Message Content Intent" in message
    assert "https://discord.com/developers/applications/1000/bot" in message
    assert "NARRATE_DISCORD__MESSAGE_CONTENT" in message


async def test_a_rejected_token_says_where_to_get_a_new_one(fake):
    fake.login_status = 401
    settings = Settings(discord=DiscordSettings(token="fake-token"))
    with pytest.raises(DiscordStartupError, match="Reset Token"):
        await asyncio.wait_for(serve(Recorder(), settings, db=None), 10)  # type: ignore[arg-type]


async def test_a_mention_question_is_answered_in_a_thread_on_the_message(fake, bot: Bot, connect):
    await connect(bot)
    await fake.answer(await fake.slash("narrate", who=BOB, text="debugging kafka consumer lag"))
    asked = await fake.say(f"<@{BOT['id']}> who knows about kafka?", who=ALICE, mentions=[BOT])
    await until(lambda: fake.posted(f"/channels/{asked}/messages"))
    (thread,) = fake.posted(f"/channels/{GENERAL}/messages/{asked}/threads")
    assert thread.body["name"].startswith("Who knows about")
    answer = fake.posted(f"/channels/{asked}/messages")[0].body
    assert f"<@{BOB['id']}>" in answer["content"] and answer["allowed_mentions"] == {"parse": []}


async def test_a_private_reply_to_a_mention_goes_by_dm(fake, connect):
    core = Recorder([Reply(text="only for you", visibility=Visibility.PRIVATE)])
    await connect(core)
    await fake.say(f"<@{BOT['id']}> hello", mentions=[BOT])
    await until(lambda: fake.posted(f"/channels/8{ALICE['id']}/messages"))
    assert fake.posted(f"/channels/8{ALICE['id']}/messages")[0].body["content"] == "only for you"
    assert not fake.posted(f"/channels/{GENERAL}/messages")


async def test_the_guild_is_described_on_arrival(fake, bot: Bot, connect):
    await connect(bot)

    async def kinds() -> dict[str, str]:
        async with bot.db.transaction() as session:
            return {c.channel_id: c.kind for c in (await session.exec(select(Channel))).all()}

    for _ in range(200):
        found = await kinds()
        if len(found) == 2:
            break
        await asyncio.sleep(0.02)
    assert found == {GENERAL: "public", SECRET: "private"}


def _handling(event: str) -> bool:
    """Whether discord.py is still running a handler of ``event`` (each runs as its own task)."""
    name = f"discord.py: on_{event}"
    return any(t.get_name() == name and not t.done() for t in asyncio.all_tasks())


async def test_removing_the_bot_erases_the_guild(fake, bot: Bot, connect):
    await connect(bot)
    await fake.answer(await fake.slash("narrate", text="tuning postgres autovacuum"))

    async def narrations() -> int:
        async with bot.db.transaction() as session:
            return len((await session.exec(select(Narration))).all())

    assert await narrations() == 1
    await fake.dispatch("GUILD_DELETE", {"id": GUILD})  # no "unavailable": the bot was removed
    deadline = asyncio.get_running_loop().time() + 30  # 200 polls (~4 s) fell short under load
    while await narrations() and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.02)
    assert await narrations() == 0
    # The rows go first; the handler goes on to scrub the index and empty the log. The test is
    # over when it is, not while it still uses the database.
    await until(lambda: not _handling("guild_remove"), timeout=10)
    async with bot.db.transaction() as session:
        assert (await session.exec(select(Tenant))).all() == []


async def test_removing_the_bot_leaves_no_narration_readable_in_the_write_ahead_log(
    fake, bot: Bot, connect
):
    """Read while the bot runs, as an admin or a backup of the folder would read the files."""
    from pathlib import Path

    def on_disk(needle: bytes) -> list[str]:
        database = bot.db.engine.url.database
        assert database is not None
        files = [Path(database + suffix) for suffix in ("", "-wal")]
        return [f.name for f in files if f.exists() and needle in f.read_bytes()]

    await connect(bot)
    await fake.answer(await fake.slash("narrate", text="zanzibarquux acquisition terms"))
    if bot.db.dialect != "sqlite":
        return  # PostgreSQL: dead tuples until (auto)vacuum, as the README says
    assert on_disk(b"zanzibarquux") == ["narrate.db-wal"]  # the test can see it
    await fake.dispatch("GUILD_DELETE", {"id": GUILD})
    await until(lambda: on_disk(b"zanzibarquux") == [], timeout=10)
    await until(lambda: not _handling("guild_remove"), timeout=10)
    async with bot.db.transaction() as session:
        assert (await session.exec(select(Tenant))).all() == []


async def test_an_outage_keeps_the_guilds_data(fake, bot: Bot, connect):
    await connect(bot)
    await fake.answer(await fake.slash("narrate", text="tuning postgres autovacuum"))
    await fake.dispatch("GUILD_DELETE", {"id": GUILD, "unavailable": True})
    await asyncio.sleep(0.3)
    async with bot.db.transaction() as session:
        assert len((await session.exec(select(Narration))).all()) == 1


def test_the_readme_invite_asks_for_exactly_the_permissions_the_bot_uses():
    from pathlib import Path

    from narrate_bot_adapters.discord.client import PERMISSIONS, SCOPES

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    assert f"permissions={PERMISSIONS.value}" in readme
    assert "scope=" + "+".join(SCOPES) in readme
    assert not (
        PERMISSIONS.administrator or PERMISSIONS.manage_channels or PERMISSIONS.manage_roles
    )


async def test_a_dropped_gateway_resumes_and_commands_keep_working(fake, bot: Bot, connect):
    await connect(bot)
    assert fake.ws is not None
    await fake.ws.close(code=4000)  # "unknown error": discord.py reconnects and resumes
    await until(lambda: fake.resumed == 1, timeout=15)
    answer = await fake.answer(await fake.slash("narrate", text="after the reconnect"))
    assert answer["data"]["content"].startswith("Noted as #1")
    assert len(fake.posted("/commands", method="PUT")) == 1  # commands synced once, not per connect
