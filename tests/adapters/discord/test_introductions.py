"""An introduction on Discord, from the real core through the real client: when Discord refuses
someone's DM, their channel gets a short pointer, never the DM with its reason."""

from __future__ import annotations

from narrate_bot.app import Bot
from narrate_bot.events import Platform, TenantRef

from .fake import ALICE, CAROL, GENERAL, GUILD, SECRET, FakeDiscord

TENANT = TenantRef(platform=Platform.DISCORD, tenant_id=GUILD, name="Acme")
REFUSED = {"message": "Cannot send messages to this user", "code": 50007}


async def _slash(fake: FakeDiscord, command: str, **options: object) -> None:
    await fake.answer(await fake.slash(command, **options))


async def test_a_refused_introduction_dm_leaves_only_a_pointer_in_the_channel(
    fake, bot: Bot, clock, connect
):
    """#secret is open to the keepers role only (alice and carol); #general to everyone."""
    client = await connect(bot)
    for who, team in ((ALICE, "payments"), (CAROL, "search")):
        await _slash(fake, "narrate-settings", sub="team", who=who, name=team)
        await _slash(fake, "narrate", who=who, channel=SECRET, text="zanzibar acquisition terms")
        await _slash(fake, "narrate-intros", sub="join", who=who)  # last seen in #general
    fake.fail("POST", rf"^/channels/8{ALICE['id']}/messages$", 403, REFUSED)

    for post in await bot.introductions.weekly(tenant=TENANT, now=clock.now()):
        await client.gateway.post(TENANT, post)

    [pointer] = fake.posted(f"/channels/{GENERAL}/messages")
    content = pointer.body["content"]
    assert content == (
        f"<@{ALICE['id']}> I have an introduction for you (#1), but I couldn't send it as a DM: "
        "open your DMs, or use /narrate intros."
    )
    assert not pointer.body.get("components")  # its buttons act for whoever clicks: DM only
    assert pointer.body["allowed_mentions"]["parse"] == ["users"]
    # carol reads #secret and got her DM, with the reason both of them may read.
    [dm] = fake.posted(f"/channels/8{CAROL['id']}/messages")
    assert "zanzibar" in dm.body["content"]
