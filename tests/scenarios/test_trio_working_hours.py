"""A trio's reason says its working hours overlap only when every two of them do.

Review t11: alice (Berlin), bob (Paris) and carol (Auckland) were told "you haven't been
introduced recently and your working hours overlap": only the first two were checked, and carol
overlaps with neither.
"""

from __future__ import annotations

from narrate_bot.replies import Post
from narrate_bot_adapters.console.adapter import TENANT


async def _run_week(bot, chat, clock) -> list[Post]:
    posts = await bot.introductions.weekly(tenant=TENANT, now=clock.now())
    for post in posts:
        await chat.adapter.post(TENANT, post)
    return posts


def _why(post: Post) -> str:
    return post.text.split("Why: ", 1)[1].split("\n", 1)[0].rstrip(".")


async def _trio_with_nothing_in_common(chat, *zones: str) -> None:
    for name, zone in zip(("alice", "bob", "carol"), zones, strict=False):
        await chat.say(f":tz {name} {zone}")
    await chat.say(
        "alice@a: /narrate apples",
        "bob@b: /narrate bananas",
        "carol@c: /narrate cherries",
        "alice: /narrate intros join",
        "bob: /narrate intros join",
        "carol: /narrate intros join",
    )


async def test_a_third_far_away_means_no_claim_about_working_hours(bot, chat, clock):
    await _trio_with_nothing_in_common(chat, "Europe/Berlin", "Europe/Paris", "Pacific/Auckland")
    [post] = await _run_week(bot, chat, clock)
    assert sorted(post.to_users) == ["alice", "bob", "carol"]
    assert "<@carol> joins to make three and narrates about cherry" in post.text
    assert "working hours" not in post.text
    assert _why(post).endswith("a, b and c haven't been introduced yet")


async def test_a_trio_with_one_zone_unknown_makes_no_claim(bot, chat, clock):
    await _trio_with_nothing_in_common(chat, "Europe/Berlin", "Europe/Paris")
    [post] = await _run_week(bot, chat, clock)
    assert sorted(post.to_users) == ["alice", "bob", "carol"]
    assert "working hours" not in post.text


async def test_a_trio_whose_hours_all_overlap_is_still_told(bot, chat, clock):
    await _trio_with_nothing_in_common(chat, "Europe/Berlin", "Europe/Paris", "Europe/London")
    [post] = await _run_week(bot, chat, clock)
    assert sorted(post.to_users) == ["alice", "bob", "carol"]
    assert _why(post).endswith("a, b and c haven't been introduced yet; your working hours overlap")
