"""What an introduction says, and to whom: each message's reason holds only what every one of
its readers could already read, and only admins choose where introductions are posted.

alice (payments) and carol (search) both narrate about a "zanzibar acquisition" in the private
#secret, which dan (infra) can't open; the introductions channel #intros is read by everyone.
"""

from __future__ import annotations

import itertools
import json
from datetime import timedelta
from pathlib import Path

from narrate_bot.events import Audience, ChannelKind, ChannelRef, CommandInvoked, UserRef
from narrate_bot.replies import Post
from narrate_bot_adapters.console.adapter import TENANT

_events = itertools.count()
SECRET_WORDS = ("zanzibar", "acquisition")


async def _secret_pair(chat, *, delivery: str = "both", readers: str = "alice,carol") -> None:
    await chat.say(
        f":channel #secret private {readers}",
        ":admin ann",
        ":channel #intros public",
        "ann: /narrate intros channel #intros",
        f"ann: /narrate intros delivery {delivery}",
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "alice in #secret: /narrate zanzibar acquisition due diligence",
        "carol in #secret: /narrate zanzibar acquisition price model",
    )


async def _run_week(bot, chat, clock) -> list[Post]:
    posts = await bot.introductions.weekly(tenant=TENANT, now=clock.now())
    for post in posts:
        await chat.adapter.post(TENANT, post)
    return posts


def _why(post: Post) -> str:
    return post.text.split("Why: ", 1)[1].split("\n", 1)[0].rstrip(".")


async def _export(chat, person: str) -> dict:
    out = await chat.say(f"{person}: /narrate export")
    return json.loads(Path(out.split("saved to ", 1)[1].strip()).read_text())["introductions"]


async def test_the_intros_channel_never_reads_a_private_channels_topics(bot, chat, clock):
    await _secret_pair(chat)
    await chat.say("alice: /narrate kafka", "carol: /narrate kafka")
    clock.advance(timedelta(days=1))
    posts = await _run_week(bot, chat, clock)
    [posted] = [p for p in posts if p.channel_id == "intros"]
    [told] = [p for p in posts if p.to_users]
    assert _why(posted).startswith("you both narrated about kafka in the last three months;")
    assert not any(word in posted.text for word in SECRET_WORDS)
    assert "[#intros] Introduction #1: @alice (payments), meet @carol (search)." in (
        chat.out.getvalue()
    )
    # Both of them read #secret, so their own group DM may say so.
    assert _why(told).startswith(
        "you both narrated about acquisition, kafka and zanzibar in the last three months;"
    )


async def test_with_nothing_public_in_common_the_post_still_makes_sense(bot, chat, clock):
    await _secret_pair(chat, delivery="channel")
    clock.advance(timedelta(days=1))
    [posted] = await _run_week(bot, chat, clock)
    assert posted.channel_id == "intros"
    assert "narrated" not in posted.text
    assert not any(word in posted.text for word in SECRET_WORDS)
    # Nothing they narrated may be cited here, so it says so plainly; no time zones are known,
    # so it claims no overlap of working hours.
    assert _why(posted) == (
        "payments and search haven't been introduced yet; "
        "a chance to meet someone from another team"
    )
    # They were only shown the channel post, so that's all their export remembers.
    assert (await _export(chat, "alice"))["introductions"][0]["topics"] == []


async def test_what_someone_asked_stays_out_of_the_channel(bot, chat, clock):
    await chat.say(
        ":admin ann",
        ":channel #intros public",
        "ann: /narrate intros channel #intros",
        "dan@search: /narrate intros join",
        "dan: /narrate relevance tuning",
        "erin@infra: /narrate intros join",
        "erin: /narrate terraform state locking",
        "dan: /narrate who knows about terraform?",
    )
    posts = await _run_week(bot, chat, clock)
    [posted] = [p for p in posts if p.channel_id]
    [told] = [p for p in posts if p.to_users]
    assert "<@erin> narrated about terraform, which <@dan> asked about" in told.text
    assert "asked" not in posted.text and "terraform" not in posted.text
    assert "infra and search haven't been introduced yet" in _why(posted)


async def test_a_shared_channel_with_another_organisation_gets_no_topics(bot, chat, clock):
    await chat.say(
        ":channel #partner shared ann,pat",
        ":admin ann",
        "ann in #partner: /narrate intros channel here",
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "alice: /narrate kafka consumer lag",
        "carol: /narrate kafka consumer lag",
    )
    posts = await _run_week(bot, chat, clock)
    [posted] = [p for p in posts if p.channel_id == "partner"]
    assert "kafka" not in posted.text and "narrated" not in posted.text
    [told] = [p for p in posts if p.to_users]
    assert "kafka" in told.text


async def test_the_third_of_a_trio_is_told_nothing_from_a_channel_they_cant_read(bot, chat, clock):
    await _secret_pair(chat, delivery="dm")
    await chat.say("dan@infra: /narrate intros join", "dan: /narrate ledger reports")
    clock.advance(timedelta(days=1))
    [trio] = await _run_week(bot, chat, clock)
    assert sorted(trio.to_users) == ["alice", "carol", "dan"]
    assert not any(word in trio.text for word in SECRET_WORDS)
    # What dan narrates where all three may read it is something to start from.
    assert "<@dan> joins to make three and narrates about ledger and report" in trio.text
    for person in ("alice", "carol", "dan"):
        assert (await _export(chat, person))["introductions"][0]["topics"] == ["ledger", "report"]


async def test_a_trio_is_told_a_private_topic_only_when_all_three_read_its_channel(
    bot, chat, clock
):
    await _secret_pair(chat, delivery="dm")
    await chat.say(
        ":channel #guild private alice,carol,dan",
        "alice in #guild: /narrate quokka tooling",
        "carol in #guild: /narrate quokka tooling",
        "dan@infra: /narrate intros join",
        "dan: /narrate ledger reports",
    )
    clock.advance(timedelta(days=1))
    [trio] = await _run_week(bot, chat, clock)
    assert "<@alice> and <@carol> both narrated about quokka and tooling" in trio.text
    assert not any(word in trio.text for word in SECRET_WORDS)
    assert (await _export(chat, "dan"))["introductions"][0]["topics"] == [
        "quokka",
        "tooling",
        "ledger",
        "report",
    ]


async def _narrate_only_me(bot, clock, user: str, text: str, channel: ChannelRef) -> str:
    replies = await bot.handle(
        CommandInvoked(
            event_id=f"only-me-{next(_events)}",
            tenant=TENANT,
            user=UserRef(user_id=user, display_name=user),
            channel=channel,
            occurred_at=clock.now(),
            command="narrate",
            text=text,
            audience=Audience.ONLY_ME,
        )
    )
    return " ".join(r.text for r in replies)


async def test_only_me_narrations_are_never_a_reason(bot, chat, clock):
    general = ChannelRef(channel_id="general", name="general")
    secret = ChannelRef(channel_id="secret", name="secret", kind=ChannelKind.PRIVATE)
    await chat.say(
        ":channel #secret private alice,carol",
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "carol: /narrate zanzibar acquisition",
        "carol in #secret: /narrate quokka migration",
        "alice: /narrate ledger reports",
    )
    # alice keeps these as her private log: in a public channel, and in one carol reads too.
    for text, channel in (("zanzibar acquisition", general), ("quokka migration", secret)):
        assert "Only you can see it" in await _narrate_only_me(bot, clock, "alice", text, channel)
    clock.advance(timedelta(days=1))
    [told] = await _run_week(bot, chat, clock)
    assert sorted(told.to_users) == ["alice", "carol"]
    # carol narrated these where alice may read them; alice's own log is never cited for her.
    alice_part, _ = _why(told).split(", <@carol> about ", 1)
    assert alice_part == "<@alice> narrates about ledger and report"
    assert not any(word in alice_part for word in ("zanzibar", "acquisition", "quokka"))


async def test_only_admins_choose_where_introductions_go(bot, chat, clock):
    await chat.say(
        ":channel #mine private bob",
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "alice: /narrate kafka consumer lag",
        "carol: /narrate kafka consumer lag",
    )
    out = await chat.say("bob: /narrate intros channel #mine")
    assert "Only a workspace admin can change where introductions are posted." in out
    assert "Nothing was changed." in out
    out = await chat.say("bob in #mine: /narrate intros channel here")
    assert "Only a workspace admin" in out
    out = await chat.say("bob: /narrate intros delivery channel")
    assert "Only a workspace admin can change how introductions are delivered." in out
    asked = await chat.say("bob: /narrate intros delivery pigeon")
    # Slack sends one group DM, Discord one DM each: the words fit both.
    assert "/narrate intros delivery" in asked and "by direct message" in asked
    assert "group DM" not in asked
    posts = await _run_week(bot, chat, clock)
    assert [(p.channel_id, p.to_users) for p in posts] == [(None, ("alice", "carol"))]

    await chat.say(":admin ann")
    await chat.say(":channel #intros public")
    assert "posted in #intros" in await chat.say("ann: /narrate intros channel #intros")
    assert "as a post in the introductions channel" in await chat.say(
        "ann: /narrate intros delivery channel"
    )
    await chat.say("dan@infra: /narrate intros join", "erin@design: /narrate intros join")
    await chat.say("dan: /narrate kafka lag", "erin: /narrate kafka lag")
    clock.advance(timedelta(weeks=1))
    posts = await _run_week(bot, chat, clock)
    assert posts and all(p.channel_id == "intros" for p in posts)


async def test_a_reason_never_counts_a_private_channel_between_two_teams(bot, chat, clock):
    """#wg is read by erin (payments) and frank (search): it weighs who to introduce, but saying
    "payments and search have been introduced once" would tell every reader that such a channel
    exists."""
    await chat.say(
        ":channel #wg private erin,frank",
        ":admin ann",
        ":channel #intros public",
        "ann: /narrate intros channel #intros",
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "erin@payments: /narrate intros join",
        "frank@search: /narrate intros join",
        "erin@payments in #wg: /narrate vendor shortlist",
        "frank@search in #wg: /narrate vendor pricing",
        "alice: /narrate kafka",
        "carol: /narrate kafka",
    )
    clock.advance(timedelta(days=1))
    posted = [p.text for p in await _run_week(bot, chat, clock) if p.channel_id == "intros"]
    assert len(posted) == 2  # two payments–search pairs
    # The first counts no tie (#wg isn't one); the second counts only the first introduction.
    assert "payments and search haven't been introduced yet" in posted[0]
    assert "payments and search have been introduced only once so far" in posted[1]


async def test_only_an_admin_lets_introductions_stay_inside_a_team(chat):
    out = await chat.say("alice: /narrate intros same-team on")
    assert "Only a workspace admin can change" in out and "Nothing was changed" in out
    out = await chat.say(":admin ann", "ann: /narrate intros same-team on")
    assert "may now pair two people of the same team" in out


async def test_someone_who_erases_themselves_takes_only_their_side_and_is_never_named(
    bot, chat, clock
):
    """alice and carol are introduced, then alice erases herself. carol's introduction, her
    answer, the workspace's figures and the number stay (they used to vanish, and the next
    introduction was "#1" again); wherever carol sees it, alice is "someone who has since left"."""
    await chat.say(
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "alice: /narrate kafka",
        "carol: /narrate kafka",
    )
    [first] = await _run_week(bot, chat, clock)
    assert first.text.startswith("Introduction #1: <@alice> (payments), meet <@carol> (search).")
    await chat.say("alice: /narrate forget-me", "alice: /narrate forget-me confirm")

    # Nobody left to have met: carol alone isn't asked "did you get to meet …?".
    clock.advance(timedelta(days=3))
    assert await bot.introductions.follow_up(tenant=TENANT, now=clock.now()) == []
    out = await chat.say("carol: /narrate intros")
    assert "#1 (" in out and "someone who has since left · about kafka" in out
    assert "/narrate intros met 1 or not-useful 1" in out
    assert "Glad you met" in await chat.say("carol: /narrate intros met 1")
    assert "someone who has since left · about kafka · you met" in await chat.say(
        "carol: /narrate intros"
    )
    stats = await chat.say("zoe: /narrate stats")
    assert "• 1 suggested" in stats and "• 1 happened" in stats
    export = await _export(chat, "carol")
    assert [
        (i["id"], i["introduced_to"], i["others_have_left"]) for i in export["introductions"]
    ] == [(1, [], True)]

    # A number is never given out twice.
    clock.advance(timedelta(days=4))
    await chat.say("dan@infra: /narrate intros join", "dan: /narrate kafka")
    [second] = await _run_week(bot, chat, clock)
    assert second.text.startswith("Introduction #2: <@carol> (search), meet <@dan> (infra).")
    assert "#2 (" in (mine := await chat.say("carol: /narrate intros")) and "#1 (" in mine
    erased = chat.out.getvalue().split("Done: I erased everything about you", 1)[1]
    assert "alice" not in erased.split("\n", 1)[1]  # everything said since
