"""An introduction on Discord, from the real core through the real client: when Discord refuses
someone's DM, their channel gets a short pointer, never the DM with its reason; and a private
channel someone lost access to without the bot hearing of it is not named to them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from narrate_bot.app import Bot
from narrate_bot.events import Platform, TenantRef
from narrate_bot.features.schedule_jobs import tick

from .fake import ALICE, CAROL, FAY, GENERAL, GIL, GUILD, SECRET, FakeDiscord, pinged

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
        "open your DMs, or use /narrate-intros mine."
    )
    assert not pointer.body.get("components")  # its buttons act for whoever clicks: DM only
    assert pinged(pointer.body) == {ALICE["id"]}
    # carol reads #secret and got her DM, with the reason both of them may read.
    [dm] = fake.posted(f"/channels/8{CAROL['id']}/messages")
    assert "zanzibar" in dm.body["content"]


@pytest.mark.parametrize("change", ["role removed", "left the server", "lookup refused"])
async def test_a_private_channel_someone_lost_unseen_is_not_named_in_their_introduction(
    fake, bot: Bot, clock, connect, change: str
):
    """Everyone here could read #secret when they narrated in it. Then alice lost the keepers
    role (or left), and no event told the bot: without the members intent none arrives. The
    weekly run re-reads her (if Discord won't answer, she is counted out of #secret), so her
    introduction names nothing from #secret, while fay and gil, who still read it, hear about
    their topic."""
    await connect(bot)
    people = (
        (ALICE, "payments", "zanzibar acquisition terms"),
        (CAROL, "search", "zanzibar acquisition pricing"),
        (FAY, "infra", "quokka habitat survey"),
        (GIL, "design", "quokka habitat census"),
    )
    for who, team, text in people:
        await _slash(fake, "narrate-settings", sub="team", who=who, name=team)
        await _slash(fake, "narrate", who=who, channel=SECRET, text=text)
        await _slash(fake, "narrate-intros", sub="join", who=who)
    if change == "role removed":
        fake.roles[ALICE["id"]] = []
    elif change == "left the server":
        fake.gone.add(ALICE["id"])
    else:  # when Discord won't say, she reads nothing private until she next talks to the bot
        fake.fail(
            "GET", rf"/members/{ALICE['id']}$", 403, {"message": "Missing Access", "code": 50001}
        )

    await tick(bot, clock.now())  # the guild gets the default weekly slot: Monday 10:00 UTC
    monday_ten = datetime(2026, 11, 23, 10, tzinfo=UTC)
    clock.set(monday_ten)
    await tick(bot, monday_ten)

    def dm_to(who: dict[str, object]) -> str:
        return " ".join(c.body["content"] for c in fake.posted(f"/channels/8{who['id']}/messages"))

    if change == "left the server":  # gone: not introduced at all, and nothing sent her way
        assert dm_to(ALICE) == "" and "meet" in dm_to(CAROL)
    else:
        assert "meet" in dm_to(ALICE) and "meet" in dm_to(CAROL)
        assert "quokka" in dm_to(FAY) and "quokka" in dm_to(GIL)
    assert "zanzibar" not in dm_to(ALICE) and "zanzibar" not in dm_to(CAROL)
    # One member lookup per participant: roles as Discord knows them now, not as last seen.
    looked_up = fake.posted(f"/guilds/{GUILD}/members/", method="GET")
    assert sorted(c.path.rsplit("/", 1)[1] for c in looked_up) == sorted(
        w["id"] for w, _, _ in people
    )


async def test_one_failed_introduction_dm_is_retried_without_repeating_it_to_the_others(
    fake, bot: Bot, clock, connect
):
    """An introduction is one DM per member. When Discord fails one of them (a 5xx), the send
    is retried by the scheduler, and the retry reaches only the member who didn't get it."""
    await connect(bot)
    for who, team in ((ALICE, "payments"), (CAROL, "search")):
        await _slash(fake, "narrate-settings", sub="team", who=who, name=team)
        await _slash(fake, "narrate", who=who, text="zanzibar acquisition terms")
        await _slash(fake, "narrate-intros", sub="join", who=who)
    # The first member's DM goes out; the second one's meets a Discord outage, once.
    unavailable = {"message": "upstream connect error", "code": 0}
    fake.fail("POST", r"^/channels/8\d+/messages$", 503, unavailable, skip=1)

    await tick(bot, clock.now())  # the guild gets the default weekly slot: Monday 10:00 UTC
    for minute in (0, 1, 3, 7):  # the scheduler retries a failed send after 1, 2, 4 minutes
        when = datetime(2026, 11, 23, 10, minute, tzinfo=UTC)
        clock.set(when)
        await tick(bot, when)

    def delivered(who: dict[str, object]) -> list[str]:
        path = f"/channels/8{who['id']}/messages"
        return [c.body["content"] for c in fake.posted(path) if c.status == 200]

    assert any(c.status == 503 for c in fake.calls)  # the outage happened
    for who in (ALICE, CAROL):
        got = delivered(who)
        assert len(got) == 1, f"{who['username']} got the introduction {len(got)} times"
        assert "zanzibar" in got[0]
