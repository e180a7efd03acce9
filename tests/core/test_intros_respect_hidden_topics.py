"""Weekly introductions honour ``/narrate hide-me``: a topic someone hid is neither a reason to
introduce them nor named beside them in any reason line (ADR 0011, "Hiding wins and is broad").

Driven through the real bot and the console adapter, as the scenario tests are: what a person
would notice is who they are introduced to and the "Why:" line they, or the channel, read.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.replies import Post
from narrate_bot_adapters.console.adapter import TENANT
from tests.helpers import Chat


async def _run_week(bot: Bot, chat: Chat, clock: ManualClock) -> list[Post]:
    clock.advance(timedelta(days=1))
    posts = await bot.introductions.weekly(tenant=TENANT, now=clock.now())
    for post in posts:
        await chat.adapter.post(TENANT, post)
    return posts


def _why(post: Post) -> str:
    return post.text.split("Why: ", 1)[1].split("\n", 1)[0]


@pytest.mark.parametrize("hider", ["alice", "carol"])
async def test_a_shared_topic_one_of_the_two_hid_is_cited_nowhere(
    bot: Bot, chat: Chat, clock: ManualClock, hider: str
) -> None:
    await chat.say(
        ":admin ann",
        ":channel #intros public",
        "ann: /narrate intros channel #intros",
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "alice: /narrate kafka consumer lag",
        "carol: /narrate kafka consumer lag",
        f"{hider}: /narrate hide-me kafka",
    )
    posts = await _run_week(bot, chat, clock)
    [posted] = [p for p in posts if p.channel_id]
    [told] = [p for p in posts if p.to_users]
    assert set(told.to_users) == {"alice", "carol"}
    for post in (told, posted):
        assert "kafka" not in post.text
        assert _why(post).strip(" .")  # still reads as a reason
    # Unhidden topics they both narrated are still worth saying.
    assert "you both narrated about" in _why(told) and "lag" in _why(told)


async def test_a_hidden_topic_answering_a_question_is_not_why_someone_is_introduced(
    bot: Bot, chat: Chat, clock: ManualClock
) -> None:
    """Without the hidden topic, erin shares terraform with amir and dan relevance with frank;
    with it, erin's kafka "answers" dan's question and outweighs both."""
    await chat.say(
        "dan@search: /narrate intros join",
        "dan: /narrate relevance tuning",
        "erin@infra: /narrate intros join",
        "erin: /narrate kafka consumer lag",
        "erin: /narrate terraform state locking",
        "frank@infra: /narrate intros join",
        "frank: /narrate relevance dashboards",
        "amir@payments: /narrate intros join",
        "amir: /narrate relevance of ledger reports",
        "amir: /narrate terraform modules",
        "erin: /narrate hide-me kafka",
        "dan: /narrate who knows about kafka?",
    )
    posts = await _run_week(bot, chat, clock)
    groups = sorted(tuple(sorted(p.to_users)) for p in posts if p.to_users)
    assert groups == [("amir", "erin"), ("dan", "frank")]
    for post in posts:
        assert "kafka" not in post.text
        assert "asked about" not in post.text


async def test_a_question_about_a_topic_the_asker_hid_is_not_cited(
    bot: Bot, chat: Chat, clock: ManualClock
) -> None:
    await chat.say(
        "dan@search: /narrate intros join",
        "dan: /narrate relevance tuning",
        "erin@infra: /narrate intros join",
        "erin: /narrate kafka consumer lag",
        "dan: /narrate hide-me kafka",
        "dan: /narrate who knows about kafka?",
    )
    [told] = await _run_week(bot, chat, clock)
    assert set(told.to_users) == {"dan", "erin"}
    assert "kafka" not in told.text and "asked about" not in told.text


async def test_in_a_trio_no_clause_ties_the_hidden_topic_to_whoever_hid_it(
    bot: Bot, chat: Chat, clock: ManualClock
) -> None:
    await chat.say(
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "erin@infra: /narrate intros join",
        "alice: /narrate kafka consumer lag",
        "carol: /narrate kafka consumer lag",
        "erin: /narrate kafka consumer lag",
        "erin: /narrate hide-me kafka",
    )
    [told] = await _run_week(bot, chat, clock)
    assert set(told.to_users) == {"alice", "carol", "erin"}
    clauses = _why(told).split("; ")
    citing = [c for c in clauses if "kafka" in c]
    assert citing, "alice and carol hid nothing: kafka may still be said about them"
    for clause in citing:
        assert "<@erin>" not in clause, clause
        assert not re.search(r"\byou\b", clause), clause  # "you both" would include erin
