"""Changing when introductions go out, while a round's posts wait to be delivered: the round's
introductions still arrive, once each, and the week gets no second round."""

from __future__ import annotations

import re

import pytest

from narrate_bot.events import TenantRef
from narrate_bot.replies import Post

INTRODUCED = re.compile(r"Introduction #(\d+): @\S+( \(\S+\))?, meet")
ASKED = re.compile(r"Introduction #(\d+): did you get to meet")


@pytest.mark.parametrize(
    "new_slot",
    [
        "wed 10:00",  # later this week: its slot must not make a second round
        "mon 08:00",  # already past this week: the next one is next Monday
    ],
)
async def test_rescheduling_introductions_delivers_the_queued_round_once(
    bot, chat, monkeypatch, new_slot
):
    """Monday 10:00 UTC the round introduces alice and carol, but the platform is down for a
    moment, so their group DM waits a minute for its retry. Within that minute an admin moves
    the introductions to another day. The DM still arrives, once, Thursday's follow-up asks
    about an introduction they were actually sent, and nobody is introduced twice that week."""
    await chat.say(
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "alice: /narrate rate limiting for the checkout api",
        "carol: /narrate rate limiting the search api",
    )
    real_post = chat.adapter.post
    refused: list[str] = []

    async def post_after_one_outage(tenant: TenantRef, post: Post) -> str:
        if not refused:
            refused.append(post.text)
            raise ConnectionError("platform unavailable")
        return await real_post(tenant, post)

    monkeypatch.setattr(chat.adapter, "post", post_after_one_outage)
    start = chat.out.tell()
    await chat.say(":clock 2026-11-23T10:00:00+00:00")  # the default slot: Monday 10:00 UTC
    assert refused[0].startswith("Introduction #1:")  # the round was made; its DM waits
    assert INTRODUCED.findall(chat.out.getvalue()[start:]) == []  # and not delivered yet

    reply = await chat.say(f"alice: /narrate intros schedule {new_slot}")
    assert "Connection suggestions go out" in reply
    await chat.say(":clock 2026-11-29T23:00:00+00:00")  # the rest of the week, Sunday night

    printed = chat.out.getvalue()[start:]
    introduced = INTRODUCED.findall(printed)
    assert [number for number, _ in introduced] == ["1"]
    assert "@alice (payments), meet @carol (search)" in printed
    assert ASKED.findall(printed) == ["1"]
