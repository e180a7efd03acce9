"""Property: nothing anyone is shown comes from a place they (or the channel) couldn't read.

Hypothesis builds small worlds: two workspaces that reuse the same user and channel ids, public,
private and direct channels with members, people who are enrolled, paused, departed or hidden from
a topic, and narrations with every audience. Membership changes then arrive as platform events
(``MembershipChanged``, ``ChannelDescribed``), and people ask through the bot exactly as a
platform would: ``/narrate who …`` (a private answer), a mention in a channel (an answer posted
there), a DM, ``/narrate topics`` and ``/narrate profile <@…>``.

An independent model of the visibility rules (ADR 0004) is the oracle. Every narration carries a
unique marker word (``mk17``) that shows up in snippets and on the topic map, so every piece of
evidence in a reply can be traced back and checked, as can every person named.

Two paths share the worlds and the oracle. The fast path (``FAST_EXAMPLES``) builds each world
inside one transaction that is rolled back, then makes the calls the bot makes (topic
preferences, ``find_experts``, the topic map and profile queries) and checks what they return.
The bot path (``BOT_EXAMPLES``) sends real events through ``Bot.handle`` and checks the reply
text. PostgreSQL runs a tenth as many: every statement is a round trip to a shared server.
"""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import HealthCheck, given, settings

from narrate_bot.app import Bot
from narrate_bot.events import (
    ActorEvent,
    ChannelDescribed,
    ChannelKind,
    ChannelRef,
    CommandInvoked,
    MembershipChanged,
    MessageReceived,
    Platform,
    TenantRef,
    UserRef,
)
from narrate_bot.features import expertise_prefs
from narrate_bot.features.topic_map import WINDOW
from narrate_bot.features.who_knows import find_experts
from narrate_bot.storage import expertise_repo
from narrate_bot.storage import repositories as repo
from tests.conftest import POSTGRES_URL
from tests.visibility_worlds import (
    TENANTS,
    USERS,
    VOCAB,
    World,
    build,
    insert_world,
    readable,
    wipe,
    worlds,
)

# 10,000 worlds through the ranking and storage calls, 500 more through the whole bot; on
# PostgreSQL a tenth of each. NARRATE_PROPERTY_SCALE multiplies them (0.1 for a quick local run).
FAST_EXAMPLES = 10_000
BOT_EXAMPLES = 500
POSTGRES_SHARE = 10
SCALE = float(os.environ.get("NARRATE_PROPERTY_SCALE", "1"))


def _tenant_ref(t: int) -> TenantRef:
    return TenantRef(platform=Platform.SLACK, tenant_id=TENANTS[t], name=TENANTS[t])


async def _apply_events(bot: Bot, world: World, now) -> None:
    """Platform events change memberships and kinds; the oracle follows them."""
    for what, t, c, u, flag in world.events:
        kind = world.kinds[t, c]
        if what in ("join", "leave"):
            if kind == "public":
                continue
            joined = what == "join"
            ref = ChannelRef(channel_id=c, name=c, kind=ChannelKind(kind))
            await bot.handle(
                MembershipChanged(
                    tenant=_tenant_ref(t), channel=ref, user_id=u, joined=joined, occurred_at=now
                )
            )
            (world.members[t, c].add if joined else world.members[t, c].discard)(u)
        else:  # the channel is converted; a private one comes with its member list
            members = (u,) if flag else ()
            ref = ChannelRef(channel_id=c, name=c, kind=ChannelKind(what))
            await bot.handle(
                ChannelDescribed(
                    tenant=_tenant_ref(t),
                    channel=ref,
                    members=members if what == "private" else None,
                    occurred_at=now,
                )
            )
            world.kinds[t, c] = what
            if what == "private":
                world.members[t, c] = set(members)


# ------------------------------------------------------------------------------------ checking

_PERSON_LINE = re.compile(r"^\d+\. <@(?P<uid>\w+)>")
_MARKER = re.compile(r"\bmk\d+\b")
_MENTION = re.compile(r"<@(\w+)>")


def _event(world: World, question, now) -> tuple[ActorEvent, str | None]:
    """The event a platform would send, and the channel an answer would be posted in."""
    t, asker, how, c, words = question
    common = {
        "event_id": f"{t}-{asker}-{how}",
        "tenant": _tenant_ref(t),
        "user": UserRef(user_id=asker, display_name=f"{asker}@{TENANTS[t]}"),
        "occurred_at": now,
    }
    topic = " ".join(words)
    kind = world.kinds[t, c]
    here = ChannelRef(channel_id=c, name=c, kind=ChannelKind(kind))
    if how != "dm" and kind != "public":
        world.members[t, c].add(asker)  # speaking in a private channel proves membership
    if how == "dm":
        dm = ChannelRef(channel_id=f"dm-{asker}", name="dm", kind=ChannelKind.DIRECT)
        text_ = f"who knows about {topic}?"
        return MessageReceived(channel=dm, text=text_, addressed_to_bot=True, **common), None
    if how == "mention":
        text_ = f"@narrate who knows about {topic}?"
        answer_in = c if kind != "direct" else None  # a reply in a DM is to the asker alone
        return MessageReceived(channel=here, text=text_, addressed_to_bot=True, **common), answer_in
    if how == "topics":
        return CommandInvoked(channel=here, command="narrate", text="topics", **common), None
    if how == "profile":
        target = USERS[VOCAB.index(words[0])]  # sometimes the asker: their own view
        return CommandInvoked(
            channel=here, command="narrate", text=f"profile <@{target}>", **common
        ), None
    return CommandInvoked(channel=here, command="narrate", text=f"who {topic}", **common), None


def _check_reply(world: World, question, answer_in: str | None, reply_text: str) -> None:
    t, asker, how, _, words = question
    by_marker = {n.marker: n for n in world.narrations}
    viewer_sees = {
        m
        for m, n in by_marker.items()
        if readable(world, n, tenant=t, viewer=asker, answer_in=answer_in)
    }
    own_profile = how == "profile" and reply_text.startswith("Your profile")
    for marker in _MARKER.findall(reply_text):
        n = by_marker[marker]
        assert marker in viewer_sees or (own_profile and n.author == asker and n.tenant == t), (
            f"leak: {marker} shown to {asker}@{TENANTS[t]} ({how}, in {answer_in})"
        )
    if how in ("command", "mention", "dm"):
        current: str | None = None
        evidence_of: dict[str, int] = {}
        for line in reply_text.splitlines():
            if match := _PERSON_LINE.match(line):
                current = match.group("uid")
                state = world.states[t, current]
                assert current != asker, "the asker answered their own question"
                assert state == "joined", f"{current} is {state} but was suggested"
                assert world.hidden.get((t, current)) not in words, f"{current} hid this topic"
                evidence_of[current] = 0
            elif (markers := _MARKER.findall(line)) and current is not None:
                for marker in markers:
                    n = by_marker[marker]
                    assert (n.tenant, n.author) == (t, current), "evidence under the wrong person"
                    evidence_of[current] += 1
        assert all(evidence_of.values()), "a person was named without visible evidence"
    if how == "topics":
        for uid in _MENTION.findall(reply_text):
            assert world.states[t, uid] == "joined"


async def _run(bot: Bot, db, world: World, now) -> None:
    await wipe(db)
    await build(db, world, now)
    await _apply_events(bot, world, now)
    for question in world.questions:
        event, answer_in = _event(world, question, now)
        replies = await bot.handle(event)
        for reply in replies:
            _check_reply(world, question, answer_in, reply.text)
            for uid, name in reply.names.items():
                assert name.endswith("@" + TENANTS[question[0]]), f"{uid} from another tenant"


class _Rollback(Exception):
    """Leave the database as it was: each fast-path world lives in one rolled-back transaction."""


def _check_people(world, t, asker, words, ranked, person_of, answer_in) -> None:
    for person in ranked:
        who = person_of[person.person_id]
        assert who[0] == t, "a person from another workspace"
        assert who[1] != asker, "the asker answered their own question"
        assert world.states[who] == "joined", f"{who} is {world.states[who]} but was suggested"
        assert world.hidden.get(who) not in words, f"{who} hid this topic"
        assert person.evidence, "a person was named without evidence"
        for hit in person.evidence:
            n = world.narrations[hit.narration_id - 1]
            assert (n.tenant, n.author) == who, "evidence under the wrong person"
            assert readable(world, n, tenant=t, viewer=asker, answer_in=answer_in), (
                f"leak: {n} shown to {asker}@{TENANTS[t]} answering in {answer_in}"
            )


async def _run_fast(db, world: World, now) -> None:
    """The same storage and ranking calls the bot makes, without the chat plumbing around them."""
    try:
        async with db.transaction() as session:
            channel_pk, person_pk = await insert_world(session, world, now, dialect=db.dialect)
            person_of = {pk: key for key, pk in person_pk.items()}
            for what, t, c, u, flag in world.events:  # what the event handlers do, in order
                pk, kind = channel_pk[t, c], world.kinds[t, c]
                if what == "join" and kind != "public":
                    await repo.add_member(session, channel_pk=pk, user_id=u)
                    world.members[t, c].add(u)
                elif what == "leave" and kind != "public":
                    await repo.remove_member(session, channel_pk=pk, user_id=u)
                    world.members[t, c].discard(u)
                elif what in ("private", "public"):
                    await repo.ensure_channel(
                        session, tenant_id=t + 1, channel_id=c, name=c, kind=what
                    )
                    world.kinds[t, c] = what
                    if what == "private":
                        members = [u] if flag else []
                        await repo.set_members(session, channel_pk=pk, user_ids=members)
                        world.members[t, c] = set(members)
            for t, asker, how, c, words in world.questions:
                await _ask_fast(
                    session,
                    db,
                    world,
                    now,
                    (t, asker, how, c, words),
                    channel_pk,
                    person_pk,
                    person_of,
                )
            raise _Rollback
    except _Rollback:
        pass


async def _ask_fast(session, db, world, now, question, channel_pk, person_pk, person_of) -> None:
    t, asker, how, c, words = question
    topic = " ".join(words)
    answer_in = c if how == "mention" and world.kinds[t, c] != "direct" else None
    if answer_in is not None and world.kinds[t, c] == "private":
        await repo.add_member(session, channel_pk=channel_pk[t, c], user_id=asker)
        world.members[t, c].add(asker)
    chosen = await expertise_prefs.for_question(session, tenant_id=t + 1, question=topic)
    ranked = await find_experts(
        session,
        dialect=db.dialect,
        tenant_id=t + 1,
        viewer_user_id=asker,
        answer_channel_pk=channel_pk[t, c] if answer_in is not None else None,
        question=topic,
        now=now,
        exclude_person_ids=chosen.hidden,
        boosts=chosen.boosts,
    )
    _check_people(world, t, asker, words, ranked, person_of, answer_in)
    if how == "topics":
        rows = await expertise_repo.topic_people_counts(
            session, tenant_id=t + 1, viewer_user_id=asker, since=now - WINDOW, now=now
        )
        for topic_word, person_id, _ in rows:
            who = person_of[person_id]
            assert who[0] == t and world.states[who] == "joined"
            if topic_word.startswith("mk"):
                n = world.narrations[int(topic_word[2:])]
                assert (n.tenant, n.author) == who
                assert readable(world, n, tenant=t, viewer=asker, answer_in=None)
    if how == "profile":
        target = USERS[VOCAB.index(words[0])]
        rows = await expertise_repo.visible_narrations_of(
            session,
            tenant_id=t + 1,
            person_id=person_pk[t, target],
            viewer_user_id=asker,
            limit=None,
        )
        for narration, _ in rows:
            n = world.narrations[narration.id - 1]
            assert (n.tenant, n.author) == (t, target)
            assert readable(world, n, tenant=t, viewer=asker, answer_in=None)


_HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]


def _examples(count: int) -> settings:
    return settings(
        max_examples=max(1, int(count * SCALE)), deadline=None, suppress_health_check=_HEALTH
    )


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
@_examples(FAST_EXAMPLES)
@given(world=worlds())
async def test_no_ranking_leaks_on_sqlite(db, clock, world):
    await _run_fast(db, world, clock.now())


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
@_examples(BOT_EXAMPLES)
@given(world=worlds())
async def test_no_reply_leaks_on_sqlite(bot, db, clock, world):
    await _run(bot, db, world, clock.now())


@pytest.mark.skipif(POSTGRES_URL is None, reason="NARRATE_TEST_POSTGRES_URL is not set")
@pytest.mark.parametrize("db", ["postgres"], indirect=True)
@_examples(FAST_EXAMPLES // POSTGRES_SHARE)
@given(world=worlds())
async def test_no_ranking_leaks_on_postgres(db, clock, world):
    await _run_fast(db, world, clock.now())


@pytest.mark.skipif(POSTGRES_URL is None, reason="NARRATE_TEST_POSTGRES_URL is not set")
@pytest.mark.parametrize("db", ["postgres"], indirect=True)
@_examples(BOT_EXAMPLES // POSTGRES_SHARE)
@given(world=worlds())
async def test_no_reply_leaks_on_postgres(bot, db, clock, world):
    await _run(bot, db, world, clock.now())
