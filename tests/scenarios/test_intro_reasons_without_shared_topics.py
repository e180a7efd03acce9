"""Introductions whose two people share no narrated topic still say why, from what both may read.

Before, such a pair read Donut's "you haven't been introduced recently": true, and no reason at
all. Now the weekly round (the console's scheduler, ``:advance``) says, in this order of
preference: a topic one declared with ``ask-me-about`` that the other narrates or asked about;
else what each of them narrates, as something to start from; else, honestly, that it is a chance
to meet someone from another team. Only what every reader of the message may read is named: never
a private channel's topic to someone outside it, never a DM or an "only me" note, never a topic
someone in the group hid.
"""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

from narrate_bot_adapters.console.adapter import TENANT
from tests.scenarios.test_intros_week_keeps_the_bot_answering import HeldPairing

WHY = re.compile(r"Why: ([^\n]+)\.\n")


async def _week(chat) -> str:
    """Monday 10:00's round (the clock starts Monday 09:00 CET) as the console printed it."""
    return await chat.say(":advance 2h")


def _reasons(out: str) -> list[str]:
    return WHY.findall(out)


async def test_a_pair_with_nothing_in_common_is_told_what_each_narrates(chat):
    await chat.say(
        "ana@payments: /narrate intros join",
        "bo@search: /narrate intros join",
        "ana: /narrate payments retries after the gateway timeout",
        "ana: /narrate payments retries with backoff",
        "bo: /narrate kafka consumers rebalancing",
    )
    out = await _week(chat)
    assert "Introduction #1: @ana (payments), meet @bo (search)." in out
    [why] = set(_reasons(out))
    assert why == (
        "@ana narrates about payment and retry, @bo about consumer and kafka; "
        "payments and search haven't been introduced yet"
    )
    assert "introduced recently" not in out


async def test_a_declared_topic_the_other_narrates_is_the_reason_and_picks_the_pair(chat):
    """ana said she's happy to be asked about terraform; of three people in other teams only
    bo narrates it, so she meets bo, and is told why."""
    await chat.say(
        "ana@payments: /narrate intros join",
        "ana: /narrate ledger exports for finance",
        "ana: /narrate ask-me-about terraform",
        "bo@search: /narrate intros join",
        "bo: /narrate terraform state locking",
        "cy@infra: /narrate intros join",
        "cy: /narrate grafana dashboards",
        "di@design: /narrate icon set refresh",
    )
    await chat.say("di: /narrate intros join")
    out = await _week(chat)
    assert re.search(r"Introduction #\d: @ana \(payments\), meet @bo \(search\)\.", out)
    assert (
        "@ana is happy to be asked about terraform, which @bo narrated about in the last "
        "three months" in out
    )


async def test_a_declared_topic_the_other_asked_about_is_the_reason(chat):
    await chat.say(
        "ana@payments: /narrate intros join",
        "ana: /narrate ledger exports",
        "ana: /narrate ask-me-about terraform",
        "bo@search: /narrate intros join",
        "bo: /narrate relevance tuning",
        "bo: /narrate who knows about terraform?",
    )
    out = await _week(chat)
    assert "@ana is happy to be asked about terraform, which @bo asked about" in out


async def test_nothing_anyone_may_read_says_it_is_a_chance_to_meet(chat):
    await chat.say(
        "ana@payments: /narrate intros join",
        "bo@search: /narrate intros join",
        "ana in dm: /narrate zanzibar acquisition notes",
        "bo in dm: /narrate quokka survey notes",
    )
    out = await _week(chat)
    [why] = set(_reasons(out))
    assert why == (
        "payments and search haven't been introduced yet; "
        "a chance to meet someone from another team"
    )
    assert not any(word in out for word in ("zanzibar", "quokka", "survey"))


async def test_a_private_channels_topic_is_never_the_reason_for_someone_outside_it(chat):
    """ana narrates about zanzibar only in #secret (ana and cy); bo can't read it. Neither
    their DM nor the introductions channel, which everyone reads, names it; even a declared
    topic only counts where the other narrated it where the declarer may read it."""
    await chat.say(
        ":channel #secret private ana,cy",
        ":admin ann",
        ":channel #intros public",
        "ann: /narrate intros channel #intros",
        "ann: /narrate intros delivery both",
        "ana@payments: /narrate intros join",
        "bo@search: /narrate intros join",
        "ana in #secret: /narrate zanzibar acquisition due diligence",
        "ana in #secret: /narrate zanzibar acquisition price model",
        "ana: /narrate ledger exports",
        "bo: /narrate ask-me-about zanzibar acquisition",
        "bo: /narrate kafka consumers",
    )
    out = await _week(chat)
    assert "Introduction #1: @ana (payments), meet @bo (search)." in out
    reasons = _reasons(out)
    assert len(reasons) == 2  # the DM and the channel post
    for why in reasons:
        assert why.startswith("@ana narrates about export and ledger, @bo about consumer and kafka")
        assert "zanzibar" not in why and "acquisition" not in why
    assert "happy to be asked" not in out


async def test_the_channel_post_names_only_what_everyone_may_read(chat):
    """ana and bo both read #guild, so their DM may name what ana narrates there; the
    introductions channel, read by everyone, names only her public topics."""
    await chat.say(
        ":channel #guild private ana,bo",
        ":admin ann",
        ":channel #intros public",
        "ann: /narrate intros channel #intros",
        "ann: /narrate intros delivery both",
        "ana@payments: /narrate intros join",
        "bo@search: /narrate intros join",
        "ana in #guild: /narrate quokka tooling",
        "ana in #guild: /narrate quokka tooling again",
        "ana: /narrate ledger",
        "bo: /narrate kafka",
    )
    out = await _week(chat)
    dm = re.search(r"\[dm ana,bo\][^\n]*\n\s*Why: ([^\n]+)\.", out)
    post = re.search(r"\[#intros\][^\n]*\n\s*Why: ([^\n]+)\.", out)
    assert dm is not None and post is not None, out
    assert dm.group(1).startswith("@ana narrates about quokka and tooling, @bo about kafka")
    assert post.group(1).startswith("@ana narrates about ledger, @bo about kafka")


async def test_a_topic_someone_hid_is_never_named_in_their_introduction(chat):
    """bo hid terraform: it isn't his reason (ana's declaration doesn't reach it), and it isn't
    named about ana either, though she narrates it."""
    await chat.say(
        "ana@payments: /narrate intros join",
        "ana: /narrate terraform modules",
        "ana: /narrate ask-me-about terraform",
        "bo@search: /narrate intros join",
        "bo: /narrate terraform state locking",
        "bo: /narrate relevance tuning",
        "bo: /narrate hide-me terraform",
    )
    out = await _week(chat)
    [why] = set(_reasons(out))
    assert "terraform" not in why.lower()
    assert why.startswith("@ana narrates about module, @bo about ")


async def test_a_declaration_cleared_while_the_week_is_worked_out_is_not_cited(
    bot, chat, clock, monkeypatch
):
    await chat.say(
        "ana@payments: /narrate intros join",
        "ana: /narrate ledger exports",
        "ana: /narrate ask-me-about terraform",
        "bo@search: /narrate intros join",
        "bo: /narrate terraform state locking",
    )
    clock.advance(timedelta(days=1))
    held = HeldPairing(monkeypatch)
    week = asyncio.create_task(bot.introductions.weekly(tenant=TENANT, now=clock.now()))
    await held.wait_started()
    await chat.say("ana: /narrate ask-me-about clear")
    held.released.set()
    [told] = [p for p in await week if p.to_users]
    assert "happy to be asked" not in told.text
    assert "<@ana> narrates about export and ledger, <@bo> about " in told.text


async def test_a_channel_someone_left_is_not_what_they_are_introduced_by(chat):
    """ana narrated in #secret, then left it; bo still reads it. Her own words are hers to read,
    but what she narrated there is no longer something to introduce her by."""
    await chat.say(
        ":channel #secret private ana,bo",
        "ana@payments: /narrate intros join",
        "bo@search: /narrate intros join",
        "ana in #secret: /narrate zanzibar acquisition terms",
        "ana: /narrate ledger exports",
        "bo: /narrate kafka",
        ":channel #secret private bo",
    )
    out = await _week(chat)
    [why] = set(_reasons(out))
    assert why.startswith("@ana narrates about export and ledger, @bo about kafka")
    assert "zanzibar" not in out
