"""Discord: the same words posted again to the same place are a new message; a failed post
tried again is the same one.

Every message goes with a nonce and ``enforce_nonce`` (a 5xx is sent again with it, and Discord
answers with the message it made instead of making a second one). The nonce was derived from
the post's words and place only, so a question withdrawn (its post deleted) and asked again a
minute later got the first, deleted message back from Discord and no new post: the question was
recorded against a post that was gone. Two "thanks" DMs with the same words merged the same
way. Now each delivery has a token of its own, kept only while a failed post may be tried again.
The fake Discord honours nonces as documented (same author and nonce within a few minutes:
that message is returned, none made).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.events import Platform, TenantRef
from narrate_bot.features.schedule_jobs import tick
from narrate_bot.replies import Post, Reply
from narrate_bot_adapters.discord import once
from narrate_bot_adapters.discord.gateway import Delivered

from .conftest import Recorder
from .fake import ALICE, GENERAL, GUILD, FakeDiscord

TENANT = TenantRef(platform=Platform.DISCORD, tenant_id=GUILD, name="Acme")
UNAVAILABLE = {"message": "503: Service Unavailable", "code": 0}
ALICE_DM = f"8{ALICE['id']}"


@pytest.fixture(autouse=True)
def _resend_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """No waits between the tries: the test is about what is created, not when."""
    monkeypatch.setattr(once, "RESEND_AFTER", (0.0, 0.0))


async def test_a_question_asked_again_after_withdrawing_gets_a_post(
    fake: FakeDiscord, bot: Bot, connect: Any
) -> None:
    await connect(bot)
    await fake.answer(await fake.slash("narrate", admin=True, text="questions-channel here"))
    await fake.answer(await fake.slash("narrate", text=f"ask-channel <#{GENERAL}> cobol"))
    await fake.answer(await fake.slash("narrate", text="ask-channel withdraw"))
    deleted = {c.path.rsplit("/", 1)[-1] for c in fake.calls if c.method == "DELETE"}
    await fake.answer(await fake.slash("narrate", text=f"ask-channel <#{GENERAL}> cobol"))
    posts = [m for m in fake.sent.get(GENERAL, []) if "cobol" in str(m.get("content"))]
    live = [p for p in posts if p["id"] not in deleted]
    assert len(live) == 1, (posts, deleted)


async def test_two_dms_with_the_same_words_are_two_messages(
    fake: FakeDiscord, connect: Any
) -> None:
    client = await connect(Recorder([Reply(text="Noted as #1.")]))
    thanks = Post(text="Thanks for answering the question about cobol!", to_users=(ALICE["id"],))
    first = await client.gateway.post(TENANT, thanks)
    second = await client.gateway.post(TENANT, thanks)
    assert first != second
    assert len(fake.sent.get(ALICE_DM, [])) == 2


async def test_a_post_tried_again_after_a_5xx_is_not_made_twice(
    fake: FakeDiscord, connect: Any
) -> None:
    """Every try met a 5xx after Discord made the message: the outcome is unknown, and the
    post is tried again (the scheduler's retry) with the same nonce: still one message."""
    client = await connect(Recorder([Reply(text="Noted as #1.")]))
    fake.fail("POST", rf"^/channels/{GENERAL}/messages$", 503, UNAVAILABLE, times=3, made=True)
    digest = Post(text="This week in #general: the importer shipped.", channel_id=GENERAL)
    with pytest.raises(Exception):  # noqa: B017, PT011 - discord.py's 503, as it comes
        await client.gateway.post(TENANT, digest)
    again = await client.gateway.post(TENANT, digest)
    assert [m["id"] for m in fake.sent.get(GENERAL, [])] == [again]
    tries = [c for c in fake.posted(f"/channels/{GENERAL}/messages") if c.body.get("nonce")]
    nonces = {c.body["nonce"] for c in tries}
    assert len(tries) == 4 and len(nonces) == 1 and len(next(iter(nonces))) <= 25, nonces


async def test_a_scheduled_prompt_retried_after_a_restart_is_made_once(
    fake: FakeDiscord, bot: Bot, clock: ManualClock, connect: Any
) -> None:
    """The scheduler tries a send again a minute after a failure that may have made it. Its
    nonce is named by the send (``Post.delivery``), not by the gateway's memory: after a
    restart (that memory gone) the retry is still the same message."""
    client = await connect(bot)
    clock.set(datetime(2026, 11, 24, 12, tzinfo=UTC))
    data = {"id": "6000", "name": "narrate-schedules", "type": 1, "options": [
        {"name": "add", "type": 1, "options": [
            {"name": "channel", "type": 3, "value": f"<#{GENERAL}>"},
            {"name": "when", "type": 3, "value": "weekdays 16:30 Europe/Berlin"},
        ]},
    ]}  # fmt: skip
    added = await fake.answer(await fake.interaction(2, data, channel=GENERAL, admin=True))
    assert str(added["data"]["content"]).startswith("Scheduled #1"), added
    fake.fail("POST", rf"^/channels/{GENERAL}/messages$", 503, UNAVAILABLE, times=3, made=True)
    due = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
    clock.set(due)
    await tick(bot, due)
    client.gateway.delivered = Delivered()  # a restart: what the gateway kept is gone
    later = due + timedelta(minutes=2)
    clock.set(later)
    await tick(bot, later)
    tries = [c for c in fake.posted(f"/channels/{GENERAL}/messages") if c.body.get("nonce")]
    assert len(tries) == 4 and len({c.body["nonce"] for c in tries}) == 1, tries
    assert len(fake.sent.get(GENERAL, [])) == 1, fake.sent.get(GENERAL)
