"""Who the bot's own Discord posts notify: the people the core cites in them, nobody else. A
narration quoted in the weekly digest may mention someone, a role or @everyone; they render,
but Discord pings none of them."""

from __future__ import annotations

from datetime import timedelta

from narrate_bot.app import Bot
from narrate_bot.events import Platform, TenantRef
from narrate_bot.replies import Post

from .conftest import Recorder
from .fake import ALICE, BOB, CAROL, GENERAL, GUILD, KEEPERS, FakeDiscord, pinged

TENANT = TenantRef(platform=Platform.DISCORD, tenant_id=GUILD, name="Acme")


async def _slash(fake: FakeDiscord, command: str, **options: object) -> dict:
    return await fake.answer(await fake.slash(command, **options))


async def test_the_weekly_digest_pings_the_asker_not_whom_their_question_mentions(
    fake, bot: Bot, clock, connect
):
    await connect(bot)
    scheduled = await _slash(
        fake, "narrate", admin=True, text="schedule digest on fri 16:00 Europe/Berlin"
    )
    assert "weekly digest" in scheduled["data"]["content"]
    await _slash(fake, "narrate", admin=True, text="questions-channel here")
    await _slash(fake, "narrate-settings", sub="join", who=BOB)
    # Asked through the bot (a narration with a "?" is not an open question).
    stuck = f"stuck on the kafka consumer lag <@{CAROL['id']}> saw too, any ideas? @everyone"
    await _slash(fake, "narrate", who=BOB, text=f"ask-channel <#{GENERAL}> {stuck} <@&{KEEPERS}>")

    await bot.run_due(clock.now() + timedelta(days=5))
    posts = [c.body for c in fake.calls if c.method == "POST" and "/messages" in c.path]
    [digest] = [p for p in posts if "Open questions" in (p.get("content") or "")]
    assert "kafka consumer lag" in digest["content"]
    assert pinged(digest) == {BOB["id"]}  # only the asker the digest names
    assert all(pinged(p) <= {BOB["id"]} for p in posts)


async def test_a_dm_post_and_its_channel_pointer_ping_only_the_people_they_are_for(fake, connect):
    client = await connect(Recorder())
    post = Post(
        text=f"<@{ALICE['id']}>, meet <@{BOB['id']}>: you both quote <@{CAROL['id']}>.",
        to_users=(ALICE["id"], BOB["id"]),
        names={ALICE["id"]: "alice", BOB["id"]: "bob"},
    )
    refused = {"message": "Cannot send messages to this user", "code": 50007}
    fake.fail("POST", rf"^/channels/8{BOB['id']}/messages$", 403, refused)
    client.gateway.seen(int(GUILD), int(BOB["id"]), int(GENERAL))
    await client.gateway.post(TENANT, post)
    [dm] = fake.posted(f"/channels/8{ALICE['id']}/messages")
    assert pinged(dm.body) == {ALICE["id"], BOB["id"]}  # not carol
    [pointer] = fake.posted(f"/channels/{GENERAL}/messages")
    assert pinged(pointer.body) == {BOB["id"]}
