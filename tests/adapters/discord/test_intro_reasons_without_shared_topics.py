"""On Discord, through the real client and the fake gateway: an introduction of two people who
share no topic says what each narrates, as Discord mentions, and never what one narrated in a
channel the other can't open (#secret is the keepers role's: alice's, not bob's)."""

from __future__ import annotations

from datetime import UTC, datetime

from narrate_bot.app import Bot
from narrate_bot.features.schedule_jobs import tick

from .fake import ALICE, BOB, SECRET, FakeDiscord


async def _slash(fake: FakeDiscord, command: str, **options: object) -> None:
    await fake.answer(await fake.slash(command, **options))


async def test_what_each_narrates_is_the_reason_and_a_private_channel_stays_out(
    fake, bot: Bot, clock, connect
):
    await connect(bot)
    for who, team in ((ALICE, "payments"), (BOB, "search")):
        await _slash(fake, "narrate-settings", sub="team", who=who, name=team)
        await _slash(fake, "narrate-intros", sub="join", who=who)
    await _slash(fake, "narrate", who=ALICE, channel=SECRET, text="zanzibar acquisition terms")
    await _slash(fake, "narrate", who=ALICE, channel=SECRET, text="zanzibar acquisition pricing")
    await _slash(fake, "narrate", who=ALICE, text="ledger exports")
    await _slash(fake, "narrate", who=BOB, text="kafka consumer rebalancing")
    await _slash(fake, "narrate", who=BOB, text="kafka consumer rebalancing again")

    await tick(bot, clock.now())  # the guild gets the default weekly slot: Monday 10:00 UTC
    monday_ten = datetime(2026, 11, 23, 10, tzinfo=UTC)
    clock.set(monday_ten)
    await tick(bot, monday_ten)

    for who in (ALICE, BOB):
        [dm] = fake.posted(f"/channels/8{who['id']}/messages")
        content = dm.body["content"]
        why = content.split("Why: ", 1)[1].split("\n", 1)[0]
        assert why == (
            f"<@{ALICE['id']}> narrates about export and ledger, "
            f"<@{BOB['id']}> about consumer and kafka; "
            "payments and search haven't been introduced yet."
        )
        assert "zanzibar" not in content and "acquisition" not in content
        assert "introduced recently" not in content
