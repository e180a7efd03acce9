"""A forget-me while a round's introductions are retried gives up the posts naming the person
(kept as skipped, their payload gone), so the round still reads as one that reached nobody."""

from __future__ import annotations

from sqlmodel import col, select

from narrate_bot.events import Platform
from narrate_bot.ports import NotPosted
from narrate_bot.replies import Post
from narrate_bot.storage.schedule_tables import ScheduleSend
from tests.scenarios.test_intros_pace import ASKED, _count, _everyone, _introduced


async def test_a_forget_me_during_retries_does_not_turn_an_undelivered_round_into_one(
    chat, bot, monkeypatch
):
    # Biweekly. Round 1 (Mon 23 Nov) introduces alice and bob; every try of it fails for now.
    # Alice confirms forget-me while it is retried: her unsent post is given up, not deleted,
    # so the round reached nobody and bob and carol get 30 Nov's round.
    await _everyone(chat, ["alice", "bob"])
    await chat.say(":admin alice", "alice: /narrate intros cadence biweekly")
    await chat.say(
        "carol@team9: /narrate intros join",
        "carol: /narrate kafka consumer lag on the ledger topic",
        "carol: /narrate intros skip",  # not in today's round
    )
    console = bot.gateways[Platform.CONSOLE]
    real = console.post

    async def failing(tenant: object, post: Post) -> str:
        if post.text.startswith("Introduction #") and ASKED not in post.text:
            raise NotPosted("service_unavailable")
        return await real(tenant, post)

    monkeypatch.setattr(console, "post", failing)
    first = await chat.say(":advance 2h")  # 10:00: the round; its posts wait for a retry
    assert _count(first) == 0
    await chat.say("alice: /narrate forget-me", "alice: /narrate forget-me confirm")
    async with bot.db.snapshot() as session:
        given_up = list(
            await session.exec(select(ScheduleSend).where(col(ScheduleSend.error) == "erased"))
        )
    assert given_up, "the post naming alice is kept as given up"
    for send in given_up:
        assert (send.status, send.payload, send.person_id) == ("skipped", None, None)
        assert send.lease_owner is None and send.lease_until is None
    monkeypatch.undo()
    out = await chat.say(":advance 7d")  # through Mon 30 Nov 10:00
    assert {"bob", "carol"} <= _introduced(out), "round 1 reached nobody: 30 Nov runs"
