"""Following a topic: ``/narrate follow kafka`` (it used to be the commonest command people
typed that didn't exist). Once a week, Monday 09:00 in the follower's zone, one private DM lists
the week's newest narrations about it that the follower may read; nothing new, no DM.

The clock starts on Monday 2026-11-23 09:00 (+01:00); carol lives in Europe/Berlin, so her
digests are due every Monday at 08:00 UTC, and ``:advance 7d`` reaches the next one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path

from sqlmodel import select

from narrate_bot.events import Platform
from narrate_bot.features.schedule_jobs import tick
from narrate_bot.storage.preference_tables import TopicPreference

DIGEST = "[dm carol] New this week about the topics you follow:"
WORLD = (
    ":channel #secret private alice,bob",
    ":channel #ops private carol,erin",
    ":tz carol Europe/Berlin",
)


async def _week_of_kafka(chat) -> None:
    await chat.say(
        "alice in #general: /narrate tuned the kafka consumer lag alerts",
        "bob in #secret: /narrate rotated the kafka acl certificates in secret",
        "bob in dm: /narrate kafka notes only for me",
        "erin in #ops: /narrate moved kafka brokers to the new racks",
        "carol in #general: /narrate my own kafka partition work",
        "dave in #general: /narrate ledger migration reviewed",
    )


async def test_a_week_later_one_dm_lists_what_the_follower_may_read(chat):
    await chat.say(*WORLD)
    out = await chat.say("carol: /narrate follow kafka")
    assert "Following kafka. Every Monday at 09:00 (Europe/Berlin)" in out
    assert "/narrate unfollow kafka stops it" in out
    await _week_of_kafka(chat)
    assert DIGEST not in await chat.say(":advance 6d")
    out = await chat.say(":advance 1d")
    assert out.count(DIGEST) == 1, out
    digest = out.split(DIGEST, 1)[1]
    assert "“kafka” (/narrate unfollow kafka stops these):" in digest
    assert "@alice: “tuned the kafka consumer lag alerts” (2026-11-23, #general)" in digest
    assert "@erin: “moved kafka brokers to the new racks” (2026-11-23, #ops, private)" in digest
    assert "acl certificates" not in out  # a private channel carol isn't in
    assert "notes only for me" not in out  # a DM, never
    assert "my own kafka partition" not in out  # her own
    assert "ledger migration" not in out  # another topic
    # Nobody else follows anything: nobody else gets a DM.
    assert "[dm alice]" not in out and "[dm bob]" not in out


async def test_nothing_new_sends_nothing_and_the_next_week_only_the_new(chat):
    await chat.say(*WORLD, "carol: /narrate follow kafka, ledger")
    assert DIGEST not in await chat.say(":advance 7d")  # a quiet week stays quiet
    await chat.say("dave in #general: /narrate ledger migration reviewed")
    out = await chat.say(":advance 7d")
    assert out.count(DIGEST) == 1
    assert "ledger migration reviewed" in out and "“kafka”" not in out
    assert DIGEST not in await chat.say(":advance 7d")  # last week's is not sent again


async def test_paused_left_and_unfollowed_people_get_nothing(chat):
    await chat.say(*WORLD, "carol: /narrate follow kafka", "carol: /narrate pause 10d")
    await _week_of_kafka(chat)
    assert DIGEST not in await chat.say(":advance 7d")
    await chat.say("carol: /narrate resume", "alice in #general: /narrate kafka lag fixed")
    assert DIGEST in await chat.say(":advance 7d")
    await chat.say("carol: /narrate leave", "alice in #general: /narrate kafka lag fixed again")
    assert DIGEST not in await chat.say(":advance 7d")
    await chat.say("carol: /narrate join")
    out = await chat.say("carol: /narrate unfollow kafka")
    assert "Unfollowed kafka" in out and "You follow no topics." in out
    await chat.say("alice in #general: /narrate kafka lag fixed for good")
    assert DIGEST not in await chat.say(":advance 7d")


async def test_two_ticks_two_replicas_and_a_restart_send_one_dm(chat, bot, clock, db):
    from narrate_bot.features import follow_digest  # new with this feature
    from narrate_bot.storage.follow_tables import FollowDigest

    await chat.say(*WORLD, "carol: /narrate follow kafka")
    await _week_of_kafka(chat)
    due = clock.now() + follow_digest.WEEK
    clock.set(due)
    reports = await asyncio.gather(
        tick(bot, due), tick(bot, due), follow_digest.send_digests(bot, due)
    )
    out = chat.out.getvalue()
    assert out.count(DIGEST) == 1, out
    assert sum(r if isinstance(r, int) else r.sent for r in reports) == 1
    # A restart: the same database, a tick at the same time and an hour later, nothing more.
    assert (await tick(bot, due)).sent == 0
    assert await follow_digest.send_digests(bot, due.replace(minute=30)) == 0
    assert chat.out.getvalue().count(DIGEST) == 1
    async with db.transaction() as session:
        rows = (await session.exec(select(FollowDigest))).all()
    assert [(r.week, r.status) for r in rows] == [("2026-11-30", "sent")]


async def test_export_lists_follows_and_forget_me_erases_them_and_the_claims(chat, db):
    from narrate_bot.storage.follow_tables import FollowDigest, FollowSchedule

    await chat.say(*WORLD, "carol: /narrate follow kafka, ledger migration")
    await _week_of_kafka(chat)
    await chat.say(":advance 7d")
    out = await chat.say("carol: /narrate export")
    path = out.split("saved to ", 1)[1].split()[0].rstrip(".")
    data = json.loads(Path(path).read_text())
    assert [f["topic"] for f in data["follows"]] == ["kafka", "ledger migration"]
    assert data["follow_digests"] == [
        {
            "week_of": "2026-11-30",
            "status": "sent",
            "sent_at": "2026-11-30T08:00:00+00:00",
            "tries": 1,
        }
    ]
    assert data["next_follow_digest_at"] == "2026-12-07T08:00:00+00:00"
    await chat.say("carol: /narrate forget-me", "carol: /narrate forget-me confirm")
    async with db.transaction() as session:
        assert (await session.exec(select(FollowDigest))).all() == []
        assert (await session.exec(select(TopicPreference))).all() == []
        assert (await session.exec(select(FollowSchedule))).all() == []
    assert "You follow no topics" in await chat.say("carol: /narrate follow")


async def test_listing_and_bad_input_get_a_friendly_reply(chat):
    out = await chat.say("carol: /narrate follow")
    assert "You follow no topics. /narrate follow kafka" in out
    assert "Which topic? /narrate unfollow <topic>" in await chat.say("carol: /narrate unfollow")
    out = await chat.say("carol: /narrate follow 🚀")
    assert "has none" in out and "Nothing was changed" in out
    out = await chat.say("carol: /narrate follow about")
    assert "too common a word" in out and "Nothing was changed" in out
    topics = ", ".join(f"topic{i}" for i in range(10))
    out = await chat.say(f"carol: /narrate follow {topics}")
    assert "Following topic0" in out
    out = await chat.say("carol: /narrate follow kafka")
    assert "You follow 10 (topic0, topic1" in out and "1 more would make 11 of 10" in out
    assert "Nothing was changed" in out
    out = await chat.say("carol: /narrate follow Topic3")
    assert "You already follow topic3." in out
    assert "You follow: topic0, topic1" in await chat.say("carol: /narrate follow list")
    out = await chat.say("carol: /narrate unfollow @bob")
    assert "You follow topics, not people" in out
    assert "Noted" not in await chat.say("carol: /narrate follow help")
    # A sentence that opens with the word is still work to keep.
    assert "Noted as #1" in await chat.say("carol: /narrate follow up with the vendor, done")


async def test_a_guest_may_not_follow_and_gets_no_digest(chat):
    await chat.say(":guest pat")
    out = await chat.say("pat: /narrate follow kafka")
    assert "Following a topic sends you what people narrated" in out
    assert "members only" in out and "Following kafka" not in out


async def test_two_weeks_on_each_monday_has_its_digest_at_its_own_time(chat, db):
    from narrate_bot.storage.follow_tables import FollowDigest  # new with this feature

    await chat.say(*WORLD, "carol: /narrate follow kafka", ":advance 1d")
    await chat.say("alice in #general: /narrate kafka week one")
    out = await chat.say(":advance 14d")
    assert out.count(DIGEST) == 1 and "kafka week one" in out, out
    async with db.transaction() as session:
        rows = (await session.exec(select(FollowDigest).order_by(FollowDigest.week))).all()
    # Monday 09:00 in Berlin each time; the second week had nothing new: no DM.
    assert [(r.week, r.status, r.sent_at and r.sent_at.isoformat()) for r in rows] == [
        ("2026-11-30", "sent", "2026-11-30T08:00:00+00:00"),
        ("2026-12-07", "quiet", None),
    ]


async def test_authors_hidden_from_the_topic_paused_or_gone_are_left_out(chat):
    await chat.say(*WORLD, "carol: /narrate follow kafka")
    await chat.say(
        "alice in #general: /narrate kafka consumer lag tuned",
        "frank in #general: /narrate kafka upgrade planned",
        "frank: /narrate hide-me kafka",
        "gina in #general: /narrate kafka quotas reviewed",
        "gina: /narrate pause 3w",
        "hugo in #general: /narrate kafka topic cleanup",
        ":gone hugo",
    )
    out = await chat.say(":advance 7d")
    assert out.count(DIGEST) == 1 and "kafka consumer lag tuned" in out, out
    assert "upgrade planned" not in out  # hidden from kafka
    assert "quotas reviewed" not in out  # paused
    assert "topic cleanup" not in out  # account gone


async def test_a_dm_that_fails_is_recorded_and_the_others_still_go(chat, bot, db, monkeypatch):
    from narrate_bot.storage.follow_tables import FollowDigest  # new with this feature

    await chat.say(*WORLD, ":tz erin Europe/Berlin")
    await chat.say("carol: /narrate follow kafka", "erin: /narrate follow kafka")
    await _week_of_kafka(chat)
    gateway = bot.gateways[Platform.CONSOLE]
    post = gateway.post

    async def refuses_carol(tenant, message):
        if message.to_users == ("carol",):
            raise ConnectionError("platform down")
        return await post(tenant, message)

    monkeypatch.setattr(gateway, "post", refuses_carol)
    out = await chat.say(":advance 7d")
    assert DIGEST not in out and "[dm erin] New this week" in out, out
    monkeypatch.setattr(gateway, "post", post)
    assert DIGEST not in await chat.say(":advance 1h")  # not sent twice, late and doubled
    async with db.transaction() as session:
        rows = (await session.exec(select(FollowDigest).order_by(FollowDigest.id))).all()
    assert sorted(r.status for r in rows) == ["failed", "sent"]


async def test_a_large_monday_of_digests_does_not_hold_a_channel_prompt(
    chat, bot, clock, monkeypatch
):
    """Digests go out in batches, each tick delivering the prompts that fell due first. With
    120 followers and DMs paced at one a second (as Discord opens them), #general's 09:01
    prompt waited until all 120 DMs had gone (09:02), two minutes of a schedule's minute."""
    from datetime import UTC, datetime, timedelta

    people = [f"p{i}" for i in range(120)]
    await chat.say(*(f"{who}: /narrate follow kafka" for who in people))
    await chat.say("alice in #general: /narrate schedule #general weekdays 09:01 UTC")
    await chat.say(":advance 1d", "alice in #general: /narrate kafka lag fixed")
    gateway = bot.gateways[Platform.CONSOLE]
    post = gateway.post
    posted: list[tuple[datetime, bool]] = []

    async def paced(tenant, message):
        if message.channel_id is None:
            clock.set(clock.now() + timedelta(seconds=1))  # one DM a second
        posted.append((clock.now(), message.channel_id is not None))
        return await post(tenant, message)

    monkeypatch.setattr(gateway, "post", paced)
    await chat.say(":advance 7d")
    monday = datetime(2026, 11, 30, 9, 1, tzinfo=UTC)
    [prompt_at] = [at for at, in_channel in posted if in_channel and at >= monday]
    dms = [at for at, in_channel in posted if not in_channel and at.date() == monday.date()]
    assert len(dms) == len(people)  # every follower's digest still goes out that Monday
    # At most one batch of paced DMs goes out after the prompt fell due and before it: no later
    # than the scheduler's next wake-up (30 s) would have taken it.
    assert prompt_at - monday <= timedelta(seconds=30), prompt_at


async def test_the_earliest_and_latest_zones_get_theirs_at_their_own_9_00(chat, db):
    """Wake-ups far from any Monday 09:00 don't look at followers at all; the first and last
    zones on Earth (UTC+14, UTC-12) still get their digest at their own Monday 09:00."""
    from datetime import UTC, datetime

    from narrate_bot.storage.follow_tables import FollowDigest

    await chat.say(
        ":tz carol Pacific/Kiritimati",
        ":tz erin Etc/GMT+12",
        "carol: /narrate follow kafka",
        "erin: /narrate follow kafka",
        ":advance 1d",
        "alice in #general: /narrate kafka lag fixed",
    )
    out = await chat.say(":advance 7d")
    assert out.count("[dm carol] New this week") == 1 and out.count("[dm erin] New this") == 1
    async with db.transaction() as session:
        rows = (await session.exec(select(FollowDigest).order_by(FollowDigest.sent_at))).all()
    # erin's first Monday 09:00 came the evening she followed (nothing new then: quiet).
    assert [(r.week, r.sent_at) for r in rows if r.status == "sent"] == [
        ("2026-11-30", datetime(2026, 11, 29, 19, 0, tzinfo=UTC)),  # Kiritimati: Sunday 19:00 UTC
        ("2026-11-30", datetime(2026, 11, 30, 21, 0, tzinfo=UTC)),  # UTC-12: Monday 21:00 UTC
    ]


async def test_a_topic_with_more_than_five_says_how_many_more(chat):
    await chat.say(*WORLD, "carol: /narrate follow kafka")
    await chat.say(*(f"alice in #general: /narrate kafka change {n}" for n in range(7)))
    out = await chat.say(":advance 7d")
    digest = out.split(DIGEST, 1)[1]
    assert "kafka change 6" in digest and "kafka change 2" in digest
    assert "kafka change 1" not in digest and "kafka change 0" not in digest
    assert "   … and 2 more this week: /narrate who kafka" in digest, digest


async def test_a_busy_week_still_lists_the_followed_topic_from_its_first_day(chat, monkeypatch):
    """The week is read a page at a time (``WEEK_LIMIT``, 1,000 in production): a workspace
    with more narrations than a page used to lose the followed topic's early ones, and with
    them the whole DM. Here a page is 2 and the week holds 9 others after Monday's kafka ones."""
    from narrate_bot.storage import follows as store

    monkeypatch.setattr(store, "WEEK_LIMIT", 2)
    await chat.say(*WORLD, "carol: /narrate follow kafka, ledger")
    await chat.say(*(f"alice in #general: /narrate kafka change {n}" for n in range(7)))
    await chat.say(":advance 1d")
    await chat.say(
        "dave in #general: /narrate ledger migration reviewed",
        *(f"dave in #general: /narrate billing retries round {n}" for n in range(8)),
    )
    out = await chat.say(":advance 6d")
    assert out.count(DIGEST) == 1, out
    digest = out.split(DIGEST, 1)[1]
    assert "“kafka” (/narrate unfollow kafka stops these):" in digest
    assert "kafka change 6" in digest and "kafka change 2" in digest
    assert "   … and 2 more this week: /narrate who kafka" in digest, digest
    assert "“ledger” (/narrate unfollow ledger stops these):" in digest
    assert "ledger migration reviewed" in digest
    assert "billing retries" not in digest


async def test_leave_keeps_the_follows_and_says_no_digest_comes_meanwhile(chat):
    """'/narrate leave' deleted every followed topic for good (d352e20), though hide-me,
    ask-me-about and reminders are kept and '/narrate join brings you back'. The follows are
    kept, the reply says so truthfully, and no weekly message comes until they join."""
    await chat.say(*WORLD, "carol: /narrate follow kafka, ledger migration")
    out = await chat.say("carol: /narrate leave")
    assert "You've left: no more prompts" in out
    assert (
        "Your follows (kafka, ledger migration) are kept, but no weekly message is sent while "
        "you're away; /narrate unfollow all drops them." in out
    )
    assert "unfollowed" not in out
    out = await chat.say("carol: /narrate follow")
    assert "You follow: kafka, ledger migration." in out
    assert "You've left narrate-bot, so none is sent until /narrate join." in out
    await chat.say("alice in #general: /narrate tuned the kafka consumer lag alerts")
    assert DIGEST not in await chat.say(":advance 7d")
    # Someone who followed nothing hears nothing about follows.
    await chat.say("erin in #ops: /narrate racks moved")
    out = await chat.say("erin: /narrate leave")
    assert "You've left: no more prompts" in out and "follows" not in out


async def test_a_digest_the_platform_took_nothing_of_is_tried_again_that_day(
    chat, bot, db, monkeypatch
):
    """A digest that failed was recorded failed and never sent, however passing the trouble
    (a platform error, a rate limit that outlasted the gateway's retries): that week the
    follower got nothing. When the platform answered and took nothing (``NotPosted``) it is
    tried again 10 and then 40 minutes later, three tries in all, and sent once."""
    from datetime import timedelta

    from narrate_bot.ports import NotPosted
    from narrate_bot.storage.follow_tables import FollowDigest

    await chat.say(*WORLD, ":tz erin Europe/Berlin")
    await chat.say("carol: /narrate follow kafka", "erin: /narrate follow kafka")
    await _week_of_kafka(chat)
    gateway = bot.gateways[Platform.CONSOLE]
    post = gateway.post
    refused: list[str] = []

    async def busy(tenant, message):
        if message.to_users in (("carol",), ("erin",)) and len(refused) < 3:
            refused.append(message.to_users[0])
            raise NotPosted("ratelimited")
        return await post(tenant, message)

    monkeypatch.setattr(gateway, "post", busy)
    out = await chat.say(":advance 7d")  # Monday 08:00 UTC: both refused
    assert DIGEST not in out and "[dm erin] New this week" not in out, out
    out = await chat.say(":advance 9m")
    assert DIGEST not in out, out  # not before its time
    out = await chat.say(":advance 1m")  # 08:10: one more refusal, then one goes out
    assert out.count("New this week about the topics you follow:") == 1, out
    out += await chat.say(":advance 40m", ":advance 7h")
    assert chat.out.getvalue().count(DIGEST) == 1
    assert chat.out.getvalue().count("[dm erin] New this week") == 1
    async with db.transaction() as session:
        rows = (await session.exec(select(FollowDigest).order_by(FollowDigest.id))).all()
    assert sorted((r.status, r.attempts) for r in rows) == [("sent", 2), ("sent", 3)]
    assert max(r.sent_at for r in rows) - min(r.sent_at for r in rows) == timedelta(minutes=40)


async def test_three_refusals_or_a_refusal_for_good_are_not_tried_again(chat, bot, db, monkeypatch):
    """Tries are bounded: after three the week is recorded failed; a refusal for good (the
    person can't be sent a DM: ``CannotPostThere``) is not tried again at all. Next week's
    digest still comes."""
    from narrate_bot.ports import CannotPostThere, NotPosted
    from narrate_bot.storage.follow_tables import FollowDigest

    await chat.say(*WORLD, ":tz erin Europe/Berlin")
    await chat.say("carol: /narrate follow kafka", "erin: /narrate follow kafka")
    await _week_of_kafka(chat)
    gateway = bot.gateways[Platform.CONSOLE]
    post = gateway.post
    tries = {"carol": 0, "erin": 0}

    async def refusing(tenant, message):
        who = message.to_users[0] if message.to_users else ""
        if who in tries:
            tries[who] += 1
            if who == "carol":
                raise NotPosted("service_unavailable")
            raise CannotPostThere(CannotPostThere.NOT_IN_IT)
        return await post(tenant, message)

    monkeypatch.setattr(gateway, "post", refusing)
    await chat.say(":advance 7d", ":advance 1d")
    assert tries == {"carol": 3, "erin": 1}
    async with db.transaction() as session:
        rows = (await session.exec(select(FollowDigest).order_by(FollowDigest.id))).all()
    assert sorted((r.status, r.attempts) for r in rows) == [("failed", 1), ("failed", 3)]
    monkeypatch.setattr(gateway, "post", post)
    await chat.say("alice in #general: /narrate kafka lag fixed again")
    out = await chat.say(":advance 6d")
    assert out.count(DIGEST) == 1 and out.count("[dm erin] New this week") == 1, out


async def test_a_zone_moved_east_brings_the_digest_to_its_new_monday_9_00(chat, db):
    """The due time is kept per follower: moving to a zone where Monday 09:00 comes sooner
    (Los Angeles to Tokyo, Monday 17:00 UTC to Sunday 00:00 UTC) brings the digest there, and
    a workspace's zone moves its followers without one of their own."""
    from datetime import UTC, datetime

    from narrate_bot.storage.follow_tables import FollowDigest

    await chat.say(
        ":tz carol America/Los_Angeles",
        "carol: /narrate follow kafka",
        "erin: /narrate follow kafka",
        ":advance 1d",
        "alice in #general: /narrate kafka lag fixed",
        "carol: /narrate timezone Asia/Tokyo",
        "alice: /narrate workspace-timezone Pacific/Auckland",
    )
    await chat.say(":advance 7d")
    async with db.transaction() as session:
        rows = (await session.exec(select(FollowDigest).order_by(FollowDigest.sent_at))).all()
    # (carol's first Monday 09:00 in Los Angeles came the day she followed: quiet.)
    assert [(r.week, r.sent_at) for r in rows if r.status == "sent"] == [
        ("2026-11-30", datetime(2026, 11, 29, 20, 0, tzinfo=UTC)),  # Auckland 09:00
        ("2026-11-30", datetime(2026, 11, 30, 0, 0, tzinfo=UTC)),  # Tokyo 09:00
    ]


async def test_a_process_that_died_mid_send_is_never_sent_again(chat, bot, clock, monkeypatch):
    """A replica took carol's turn, claimed the week and died before its outcome was
    recorded: whether the DM went out is unknown, so nobody sends it again. Her row comes due
    after the hold (``HOLD``), is moved to next Monday, and next week's digest comes as usual."""
    from narrate_bot.features import follow_digest

    await chat.say(*WORLD, "carol: /narrate follow kafka")
    await _week_of_kafka(chat)
    due = clock.now() + follow_digest.WEEK
    clock.set(due)

    async def dies(*args, **kwargs):
        raise SystemExit("killed")  # not an Exception: nothing after the claim runs

    monkeypatch.setattr(follow_digest, "_attempt", dies)
    with contextlib.suppress(SystemExit):
        await follow_digest.send_batch(bot, due)
    monkeypatch.undo()
    out = await chat.say(":advance 1h", ":advance 1d")
    assert DIGEST not in out, out
    await chat.say("alice in #general: /narrate kafka lag fixed again")
    out = await chat.say(":advance 6d")
    assert out.count(DIGEST) == 1 and "kafka lag fixed again" in out, out
