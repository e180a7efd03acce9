"""Weekly introductions through the console: three teams, a month of narrations, weekly runs
delivered through the console's ChatGateway, and what people can say back."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from narrate_bot.events import ChannelRef, CommandInvoked, UserRef
from narrate_bot.replies import Post
from narrate_bot_adapters.console.adapter import TENANT

TEAMS = {
    "payments": ["alice", "bob", "amir", "pia"],
    "search": ["carol", "dan", "sven", "sara"],
    "infra": ["erin", "frank", "ines"],
}
TEAM_OF = {person: team for team, people in TEAMS.items() for person in people}
# Four weeks of narrations: topics shared across teams on purpose.
NARRATIONS = [
    "alice: /narrate rate limiting for the checkout api, token buckets per merchant",
    "carol: /narrate rate limiting the search api; token buckets again",
    "bob: /narrate kafka consumer lag on the ledger topic",
    "erin: /narrate kafka broker upgrade and consumer lag alerts",
    "dan: /narrate postgres vacuum tuning for the index tables",
    "frank: /narrate postgres replication slots filling up",
    "amir: /narrate terraform modules for the payment gateways",
    "ines: /narrate terraform state locking and modules cleanup",
    "pia: /narrate fraud scoring model retraining with new features",
    "sven: /narrate ranking features retraining for relevance",
    "sara: /narrate autocomplete latency budget and caching",
    "erin: /narrate caching layer in front of the config service",
]


async def _month(chat, clock):
    """Everyone joins; each narrates over four weeks (teams come from the speaker's line)."""
    for person, team in TEAM_OF.items():
        await chat.say(f"{person}@{team}: /narrate intros join")
    for week in range(4):
        for line in NARRATIONS[week::4]:
            await chat.say(line)
        clock.advance(timedelta(days=7))


async def _run_week(bot, chat, clock) -> list[Post]:
    posts = await bot.introductions.weekly(tenant=TENANT, now=clock.now())
    for post in posts:
        await chat.adapter.post(TENANT, post)
    return posts


def _groups(posts: list[Post]) -> list[tuple[str, ...]]:
    return [tuple(sorted(p.to_users)) for p in posts if p.to_users]


def _why(post: Post) -> str:
    return post.text.split("Why: ", 1)[1].split("\n", 1)[0]


def _texts_of(person: str) -> str:
    return " ".join(line.split("/narrate ", 1)[1] for line in NARRATIONS if line.startswith(person))


async def test_four_weekly_runs_cross_teams_cite_shared_topics_and_never_repeat(bot, chat, clock):
    await _month(chat, clock)
    await chat.say("alice: /narrate never-pair @carol")  # their strongest shared topic
    seen: set[frozenset[str]] = set()
    citing = 0
    for week in range(4):
        if week == 1:
            await chat.say("frank: /narrate pause 5d")
        posts = await _run_week(bot, chat, clock)
        groups = _groups(posts)
        everyone = sorted(p for g in groups for p in g)
        assert len(everyone) == len(set(everyone)), "nobody is introduced twice in a week"
        expected = set(TEAM_OF) - ({"frank"} if week == 1 else set())
        assert set(everyone) == expected, f"week {week + 1}: paused people skipped, others in"
        trios = [g for g in groups if len(g) == 3]
        assert len(trios) == (1 if len(expected) % 2 else 0)
        for group, post in zip(groups, [p for p in posts if p.to_users], strict=True):
            teams = [TEAM_OF[p] for p in group]
            assert len(set(teams)) == len(teams), f"{group} crosses teams"
            assert {"alice", "carol"} not in [set(group)] and not {"alice", "carol"} <= set(group)
            for a in group:
                for b in group:
                    if a < b:
                        pair = frozenset((a, b))
                        assert pair not in seen, f"{pair} repeated"
                        seen.add(pair)
            reason = post.text.split("Why: ", 1)[1].split("\n", 1)[0]
            assert reason.strip(" .")
            cited = re.search(r"both narrated about (.+?) in the last three months", reason)
            if cited:
                citing += 1
                topics = re.split(r", | and ", cited.group(1))
                for topic in topics:
                    for person in group[:2] if len(group) == 2 else ():
                        assert topic in _texts_of(person), f"{topic} not narrated by {person}"
        clock.advance(timedelta(days=7))
    assert citing >= 4  # the first week alone pairs four people by a shared topic
    out = chat.out.getvalue()
    assert "[dm " in out and "(button) We met: /narrate intros met " in out
    assert "(button) Skip me next week: /narrate intros skip" in out


async def test_reason_names_a_real_shared_topic_and_untied_teams(bot, chat, clock):
    await chat.say(
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "alice: /narrate rate limiting for the checkout api",
        "carol: /narrate rate limiting the search api",
    )
    clock.advance(timedelta(days=1))
    posts = await _run_week(bot, chat, clock)
    assert len(posts) == 1  # no intros channel yet: a group DM
    out = chat.out.getvalue()
    assert "[dm alice,carol] Introduction #" in out
    assert "@alice (payments), meet @carol (search)." in out
    assert "you both narrated about" in out and "rate" in out and "limiting" in out
    assert "payments and search haven't been introduced yet" in out


async def test_team_clauses_count_introductions_this_round_included_and_never_say_met(
    bot, chat, clock
):
    """Reasons used to say two teams "have met" when they had only been introduced, and two
    pairs of one round were both told their teams "haven't been introduced yet"."""
    await chat.say(
        "alice@payments: /narrate intros join",
        "bob@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "dan@search: /narrate intros join",
        "alice: /narrate kafka consumer lag",
        "bob: /narrate ledger rounding",
        "carol: /narrate kafka streams",
        "dan: /narrate ledger search",
    )
    clock.advance(timedelta(days=1))
    first = [_why(p) for p in await _run_week(bot, chat, clock)]
    assert len(first) == 2
    assert "payments and search haven't been introduced yet" in first[0]
    assert "payments and search have been introduced only once so far" in first[1]
    await chat.say("alice: /narrate intros met 1")  # only #1 happened

    clock.advance(timedelta(days=7))
    second = [_why(p) for p in await _run_week(bot, chat, clock)]
    assert len(second) == 2
    assert "payments and search have been introduced only twice so far" in second[0]
    assert "you bring payments and search together" in second[1]
    assert not any("met" in why for why in first + second)


async def test_a_second_or_concurrent_call_for_the_same_week_suggests_nothing_new(bot, chat, clock):
    await chat.say(
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "alice: /narrate kafka",
        "carol: /narrate kafka",
    )
    first, second = await asyncio.gather(
        bot.introductions.weekly(tenant=TENANT, now=clock.now()),
        bot.introductions.weekly(tenant=TENANT, now=clock.now()),
    )
    assert sorted([len(first), len(second)]) == [0, 1]
    assert await bot.introductions.weekly(tenant=TENANT, now=clock.now() + timedelta(hours=2)) == []


async def test_delivery_to_the_intros_channel_and_or_group_dm(bot, chat, clock):
    await chat.say(
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "alice: /narrate kafka lag",
        "carol: /narrate kafka lag",
        ":admin alice",
    )
    await chat.say(":channel #intros public")  # the bot has seen it
    out = await chat.say("alice: /narrate intros channel #intros")
    assert "Introductions will be posted in #intros" in out
    assert "/narrate intros delivery" in await chat.say("alice: /narrate intros delivery pigeon")
    await chat.say("alice: /narrate intros delivery channel")
    posts = await _run_week(bot, chat, clock)
    assert [p.channel_id for p in posts] == ["intros"]
    out = chat.out.getvalue()
    assert "[#intros] Introduction #" in out and "@alice (payments), meet @carol (search)" in out
    await chat.say("alice: /narrate intros delivery both")
    # Alice and Carol met within the last 12 rounds: two newcomers make next week's pairs.
    await chat.say(
        "bob@ops: /narrate intros join",
        "dan@infra: /narrate intros join",
        "bob: /narrate kafka lag",
        "dan: /narrate kafka lag",
    )
    clock.advance(timedelta(weeks=1))
    posts = await _run_week(bot, chat, clock)
    assert sorted(p.channel_id or "" for p in posts) == ["", "", "intros", "intros"]
    assert sorted(len(p.to_users) for p in posts) == [0, 0, 2, 2]


async def test_outcomes_follow_up_once_and_stats_are_aggregate(bot, chat, clock):
    await _month(chat, clock)
    posts = await _run_week(bot, chat, clock)
    dms = [p for p in posts if p.to_users]
    first = int(re.search(r"Introduction #(\d+)", dms[0].text).group(1))
    a, b = dms[0].to_users[:2]
    stranger = next(p for p in TEAM_OF if p not in dms[0].to_users)
    assert "isn't one of yours" in await chat.say(f"{stranger}: /narrate intros met {first}")
    assert "Glad you met" in await chat.say(f"{a}: /narrate intros met {first}")
    assert "Nobody else is told" in await chat.say(f"{b}: /narrate intros not-useful {first}")
    assert "Which introduction" in await chat.say(f"{a}: /narrate intros met soon")

    clock.advance(timedelta(days=3))
    follow = await bot.introductions.follow_up(tenant=TENANT, now=clock.now())
    asked = {frozenset(p.to_users) for p in follow}
    assert frozenset(dms[0].to_users) not in asked  # they already answered
    assert asked == {frozenset(p.to_users) for p in dms[1:]}
    assert all("did you get to meet" in p.text for p in follow)
    assert await bot.introductions.follow_up(tenant=TENANT, now=clock.now()) == []

    out = await chat.say("zoe: /narrate stats")
    assert f"{len(dms)} suggested" in out and "1 happened" in out
    assert "1 cross-team tie formed" in out
    assert "aren't shown alone" in out  # teams of 3-4 people get no figure of their own
    for person in TEAM_OF:
        assert person not in out


async def test_a_team_of_five_gets_its_own_figure(bot, chat, clock):
    for i in range(5):
        await chat.say(f"p{i}@payments: /narrate intros join", f"p{i}: /narrate ledger {i}")
    await chat.say("s0@search: /narrate intros join", "s0: /narrate ledger search")
    await _run_week(bot, chat, clock)
    out = await chat.say("zoe: /narrate stats")
    assert "payments: 0 happened" in out and "search:" not in out


async def test_never_pair_is_private_listable_and_undoable(bot, chat, clock):
    await chat.say("carol@search: /narrate intros join")  # known, though she never narrated
    out = await chat.say("alice: /narrate never-pair @Carol")
    assert out.startswith("[only alice in #general] Done: I'll never introduce you to @carol.")
    assert "already" in await chat.say("alice: /narrate never-pair <@carol>")
    assert "@carol" in await chat.say("alice: /narrate never-pair list")
    assert "That's you" in await chat.say("alice: /narrate never-pair @alice")
    assert "Who?" in await chat.say("alice: /narrate never-pair carol please")
    assert "may be introduced to you again" in await chat.say(
        "alice: /narrate never-pair remove @carol"
    )
    assert "list is empty" in await chat.say("alice: /narrate never-pair list")


async def test_never_pair_refuses_a_name_nobody_has(bot, chat, clock):
    out = await chat.say("alice: /narrate never-pair @nobody")
    assert "I don't know anyone called @nobody here" in out and "Nothing was saved" in out
    assert "Done" not in out
    assert "list is empty" in await chat.say("alice: /narrate never-pair list")
    assert "wasn't on your never-pair list" in await chat.say(
        "alice: /narrate never-pair remove @nobody"
    )


async def test_never_pair_by_name_keeps_the_platform_id_of_that_person(bot, chat, clock):
    """A typed @name (Slack sends slash-command text unescaped) finds the person by display
    name; the wish is kept under their platform id, the one the weekly pairing compares."""
    dana = UserRef(user_id="U42", display_name="Dana")
    for n, line in enumerate(["intros join", "team search", "kafka streams for reindexing"]):
        await bot.handle(
            CommandInvoked(
                event_id=f"dana-{n}",
                tenant=TENANT,
                user=dana,
                channel=ChannelRef(channel_id="general", name="general"),
                occurred_at=clock.now(),
                command="narrate",
                text=line,
            )
        )
    await chat.say("alice@payments: /narrate intros join", "alice: /narrate kafka consumer lag")
    out = await chat.say("alice: /narrate never-pair @dana")
    assert "Done: I'll never introduce you to @Dana." in out
    assert "@Dana" in await chat.say("alice: /narrate never-pair list")  # named, as shown
    clock.advance(timedelta(days=1))
    assert await _run_week(bot, chat, clock) == []


async def test_never_pair_holds_for_a_platform_mention_of_someone_not_here_yet(bot, chat, clock):
    """Slack and Discord make ``<@id>`` only for a real member picked from the @ list: the wish
    is kept before they ever use the bot, so their first week already respects it."""
    await chat.say("alice@payments: /narrate intros join", "alice: /narrate kafka consumer lag")
    out = await chat.say("alice: /narrate never-pair <@erin>")
    assert "Done: I'll never introduce you to @erin." in out
    await chat.say("erin@search: /narrate intros join", "erin: /narrate kafka streams")
    clock.advance(timedelta(days=1))
    assert await _run_week(bot, chat, clock) == []


async def test_never_pair_wins_even_when_nobody_else_is_left(bot, chat, clock):
    await chat.say(
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "alice: /narrate kafka",
        "carol: /narrate kafka",
        "carol: /narrate never-pair @alice",
    )
    assert await _run_week(bot, chat, clock) == []


async def test_private_channel_and_dm_narrations_are_never_cited_to_outsiders(bot, chat, clock):
    await chat.say(
        ":channel #secret private alice,bob",
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "alice in #secret: /narrate zanzibar migration plan",
        "alice in dm: /narrate quokka thoughts",
        "carol: /narrate zanzibar and quokka research",
        "alice: /narrate ledger",
    )
    posts = await _run_week(bot, chat, clock)
    assert len(posts) == 1
    # carol's own public topics may be named; alice's private channel and DM never are.
    why = posts[0].text.split("Why: ", 1)[1].split("\n", 1)[0]
    alice_part, carol_part = why.split(", <@carol> about ", 1)
    assert alice_part == "<@alice> narrates about ledger"
    assert "migration" not in carol_part and "thought" not in carol_part


async def test_skip_me_next_week_and_leave(bot, chat, clock):
    await chat.say(
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "dan@infra: /narrate intros join",
        "alice: /narrate kafka",
        "carol: /narrate kafka",
        "dan: /narrate kafka",
    )
    out = await chat.say("alice: /narrate intros skip")
    assert "no introduction for you in the next round (" in out
    groups = _groups(await _run_week(bot, chat, clock))
    assert groups == [("carol", "dan")]
    clock.advance(timedelta(weeks=1))
    assert "alice" in {p for g in _groups(await _run_week(bot, chat, clock)) for p in g}
    assert "You've left" in await chat.say("alice: /narrate intros leave")
    assert "not in the weekly" in await chat.say("alice: /narrate intros leave")
    clock.advance(timedelta(weeks=1))
    assert "alice" not in {p for g in _groups(await _run_week(bot, chat, clock)) for p in g}


async def test_people_who_never_narrated_or_left_narrate_bot_are_not_introduced(bot, chat, clock):
    out = await chat.say("alice@payments: /narrate intros join")
    assert "Narrate what you work on" in out
    await chat.say("carol@search: /narrate intros join", "carol: /narrate kafka")
    await chat.say("dan@infra: /narrate intros join", "dan: /narrate kafka", "dan: /narrate leave")
    assert await _run_week(bot, chat, clock) == []


async def test_a_who_knows_question_leads_to_someone_who_narrated_the_answer(bot, chat, clock):
    await chat.say(
        "dan@search: /narrate intros join",
        "dan: /narrate relevance tuning",
        "erin@infra: /narrate intros join",
        "erin: /narrate terraform state locking",
        "frank@infra: /narrate intros join",
        "frank: /narrate relevance dashboards",
        "amir@payments: /narrate intros join",
        "amir: /narrate relevance of ledger reports",
        "dan: /narrate who knows about terraform?",
    )
    posts = await _run_week(bot, chat, clock)
    dan = next(p for p in posts if "dan" in p.to_users)
    assert set(dan.to_users) == {"dan", "erin"}
    assert "<@erin> narrated about terraform, which <@dan> asked about" in dan.text
    number = int(re.search(r"#(\d+)", dan.text).group(1))
    assert "0 questions answered through an introduction" in await chat.say("zoe: /narrate stats")
    await chat.say(f"erin: /narrate intros met {number}")
    assert "1 question answered through an introduction" in await chat.say("zoe: /narrate stats")


async def test_working_hours_that_never_overlap_are_avoided(bot, chat, clock):
    await chat.say(
        ":tz alice Pacific/Auckland",
        ":tz bob Pacific/Auckland",
        ":tz carol Europe/Berlin",
        ":tz dan Europe/Berlin",
        "alice@payments: /narrate intros join",
        "bob@search: /narrate intros join",
        "carol@payments: /narrate intros join",
        "dan@search: /narrate intros join",
        "alice: /narrate kafka streams",
        "dan: /narrate kafka streams",
        "bob: /narrate ledgers",
        "carol: /narrate search indexes rebuilt overnight",
    )
    groups = _groups(await _run_week(bot, chat, clock))
    assert sorted(groups) == [("alice", "bob"), ("carol", "dan")]


async def test_export_shows_my_side_and_forget_me_erases_my_side_only(bot, chat, clock, db):
    """Forget-me used to delete the whole introduction, and with it carol's history and answer.
    A pair's introduction is carol's as much as alice's: alice's side goes (every row of
    hers), carol's stays, and so does carol's wish naming alice: it is carol's, not alice's."""
    await chat.say(
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "alice: /narrate kafka",
        "carol: /narrate kafka",
        "alice: /narrate never-pair <@zoe>",  # a platform mention: zoe never used the bot
        "carol: /narrate never-pair <@bob>",
        "alice: /narrate who knows about terraform?",
    )
    posts = await _run_week(bot, chat, clock)
    number = int(re.search(r"#(\d+)", posts[0].text).group(1))
    await chat.say(f"alice: /narrate intros met {number}", f"carol: /narrate intros met {number}")
    data = await _export(chat, "alice")
    assert data["taking_part"] is True and data["never_pair"] == ["zoe"]
    assert data["introductions"][0]["introduced_to"] == ["carol"]
    assert data["introductions"][0]["others_have_left"] is False
    assert data["introductions"][0]["your_answer"] == "met"
    assert data["asked_topics"][0]["topic"] == "terraform"
    assert (await _export(chat, "carol"))["never_pair"] == ["bob"]  # never anyone else's list

    await chat.say("carol: /narrate never-pair @alice")
    await chat.say("alice: /narrate forget-me", "alice: /narrate forget-me confirm")
    from tests.scenarios.test_privacy import _rows_mentioning

    # Only carol's own wish still names alice (ADR 0008); alice's own wish went with her.
    assert [r.split(":")[0] for r in await _rows_mentioning(db, "alice")] == ["intro_never_pair"]
    assert await _rows_mentioning(db, "zoe") == []
    listed = await chat.say("carol: /narrate never-pair list")
    assert "@bob" in listed and "@alice" in listed
    carol = await _export(chat, "carol")
    assert carol["introductions"] == [
        {
            "id": number,
            "created_at": carol["introductions"][0]["created_at"],
            "delivered_at": carol["introductions"][0]["created_at"],  # went out as made
            "never_reached_you_at": None,
            "introduced_to": [],
            "others_have_left": True,
            "topics": ["kafka"],
            "answered_a_question": False,
            "your_team": "search",
            "your_answer": "met",
            "answered_at": carol["introductions"][0]["answered_at"],
        }
    ]


async def _export(chat, person: str) -> dict:
    out = await chat.say(f"{person}: /narrate export")
    return json.loads(Path(out.split("saved to ", 1)[1].strip()).read_text())["introductions"]


@pytest.mark.parametrize(
    "line",
    ["alice: /narrate intros", "alice: /narrate intros dance", "alice: /narrate intros channel"],
)
async def test_unclear_intros_commands_get_a_short_answer(chat, line):
    out = await chat.say(line)
    assert out.startswith("[only alice in #general]")
    assert "/narrate intros" in out
