"""An introduction that went out counts as delivered however its delivery was recorded, through
the console with its scheduler running (``:advance 7d``: Monday 10:00 UTC's round, Thursday's
follow-up).

It was marked delivered by the sender's own write after the post's outcome: when that write
failed it was never tried again, and a replica still on code from before the mark (a rolling
deploy) never made it. Either way alice and bob, who got their introduction, were never asked
whether they met, and were introduced again the next week as if they never had been. The send
recorded as sent now marks it itself (migration 0057's trigger)."""

from __future__ import annotations

import pytest

from narrate_bot.features import schedule_delivery
from narrate_bot.storage import intro_posts, intro_repo
from tests.scenarios.test_intros_pace import ASKED, _count, _everyone, _introduced, _weeks


async def _two_weeks(chat) -> list[str]:
    await _everyone(chat, ["alice", "bob"])
    first, second = await _weeks(chat, 2)
    assert _introduced(first) == {"alice", "bob"}
    return [first, second]


def _assert_delivered(first: str, second: str) -> None:
    asked = [line for line in first.splitlines() if ASKED in line]
    assert asked, "alice and bob got their introduction: they are asked whether they met"
    assert _count(second) == 0, "and they aren't introduced again the next week"


async def test_a_failed_delivery_mark_still_leaves_the_introduction_delivered(
    chat, monkeypatch: pytest.MonkeyPatch
):
    async def failing(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(intro_repo, "mark_delivered", failing)
    _assert_delivered(*await _two_weeks(chat))


async def test_an_introduction_an_older_replica_sent_is_delivered(
    chat, monkeypatch: pytest.MonkeyPatch
):
    async def before_the_mark(session, item, post, message_id, *, now, **_):  # type: ignore[no-untyped-def]
        """``_keep_intro_post`` as a replica from before 0055 runs it: the channel post's
        record only, no delivery mark."""
        number = schedule_delivery.introduction_number(post.text)
        if item.schedule.kind != "intros" or number is None or post.channel_id is None:
            return
        await intro_posts.keep(
            session,
            tenant_id=item.tenant.id,
            number=number,
            channel_id=post.channel_id,
            message_id=message_id,
            user_ids=list(post.names),
            now=now,
        )

    monkeypatch.setattr(schedule_delivery, "_keep_intro_post", before_the_mark)
    _assert_delivered(*await _two_weeks(chat))
