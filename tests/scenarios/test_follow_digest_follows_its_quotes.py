"""A followed-topics DM quotes each narration it lists; the narration's delete, edit, unshare
and its author's forget-me reach that DM (ADR 0012: "edit and delete follow it").

Found by privacy review H: the DM kept quoting a deleted narration, word for word, for good."""

from __future__ import annotations

import json
import re

from sqlmodel import select

from narrate_bot.ports import ChatGateway
from tests.scenarios.test_privacy import _rows_mentioning
from tests.scenarios.test_review_fixes_digest_form import _said_in

SECRET = "kafka rebalancing hunter2 password in the runbook"
REMOVED = "(removed by its author)"
FORGOTTEN = "(Removed: you asked me to forget you, so this message shows nothing any more.)"


async def _digest_sent(chat, *narrations: str) -> None:
    """bob follows kafka; alice narrates; Monday 09:00 UTC bob's DM goes out."""
    out = await chat.say(
        "bob: /narrate follow kafka",
        *[f"alice: /narrate {text}" for text in narrations],
        ":advance 1h",  # Monday 09:00 UTC: bob's weekly DM
    )
    dm = _said_in(out, "dm bob")
    assert "New this week" in dm and "hunter2" in dm, out


def _edited(out: str) -> str:
    """The DM as the console printed it when edited."""
    assert re.search(r"\[console\] edited m\d+ in dm bob", out), out
    return _said_in(out, "dm bob")


async def test_delete_takes_the_narration_out_of_a_followers_dm(chat, bot):
    await _digest_sent(chat, SECRET)
    out = await chat.say("alice: /narrate delete 1")
    assert "Deleted #1. It's gone from search too." in out
    dm = _edited(out)
    assert "hunter2" not in dm and "@alice" not in dm
    assert REMOVED in dm
    assert "still shows" not in out  # the edit went through: nothing to tell
    assert await _rows_mentioning(bot.db, "hunter2") == []


async def test_delete_of_one_of_two_keeps_the_other_line(chat):
    await _digest_sent(chat, SECRET, "kafka consumer lag dashboards")
    dm = _edited(await chat.say("alice: /narrate delete 1"))
    assert "hunter2" not in dm
    assert "kafka consumer lag dashboards" in dm and "@alice" in dm


async def test_edit_refreshes_the_quote(chat):
    await _digest_sent(chat, SECRET)
    dm = _edited(await chat.say("alice: /narrate edit 1 kafka rebalancing notes in the runbook"))
    assert "hunter2" not in dm
    assert "“kafka rebalancing notes in the runbook”" in dm


async def test_forget_me_takes_the_authors_lines_out(chat, bot):
    await _digest_sent(chat, SECRET)
    out = await chat.say("alice: /narrate forget-me", "alice: /narrate forget-me confirm")
    assert "Done: I erased everything about you" in out
    dm = _edited(out)
    assert "hunter2" not in dm and "@alice" not in dm
    assert await _rows_mentioning(bot.db, "hunter2") == []
    assert await _rows_mentioning(bot.db, "alice") == []


async def test_unshare_takes_the_line_from_a_reader_who_may_no_longer_read_it(chat):
    out = await chat.say(
        ":channel #secret private alice",
        "bob: /narrate follow kafka",
        f"alice in #secret: /narrate {SECRET}",
        "alice: /narrate share 1",  # now the whole workspace's: bob's DM lists it
        ":advance 1h",
    )
    assert "hunter2" in _said_in(out, "dm bob"), out
    out = await chat.say("alice: /narrate unshare 1")
    assert "is no longer shared" in out
    assert "hunter2" not in _edited(out)


async def test_unshare_leaves_the_line_for_a_reader_who_still_may_read_it(chat):
    await chat.say(
        ":channel #secret private alice,bob",
        "bob: /narrate follow kafka",
        f"alice in #secret: /narrate {SECRET}",
        "alice: /narrate share 1",
    )
    await chat.say(":advance 1h")
    out = await chat.say("alice: /narrate unshare 1")
    assert "edited" not in out  # bob is in #secret: he may still read it


async def test_a_failed_edit_is_tried_again_by_the_scheduler(chat, bot, monkeypatch):
    from narrate_bot.storage.copy_tables import NarrationCopy, NarrationCopyQuote

    await _digest_sent(chat, SECRET)
    gateway = next(iter(bot.gateways.values()))
    real = type(gateway).update
    failing = {"left": 1}

    async def flaky(self: ChatGateway, tenant, message_id, post) -> None:  # type: ignore[no-untyped-def]
        if failing["left"]:
            failing["left"] -= 1
            raise TimeoutError("the platform is down")
        await real(self, tenant, message_id, post)

    monkeypatch.setattr(type(gateway), "update", flaky)
    out = await chat.say("alice: /narrate delete 1")
    assert (
        "A message I sent quoting it (a followed-topics digest or a who-knows answer) still "
        "shows the old words"
    ) in out
    assert "edited" not in out
    async with bot.db.snapshot() as session:
        waiting = (await session.exec(select(NarrationCopy))).one()
    assert waiting.retry_at is not None and waiting.attempts == 1
    out = await chat.say(":advance 1m")  # backoff: 2 minutes
    assert "edited" not in out
    out = await chat.say(":advance 2m")
    assert "hunter2" not in _edited(out)
    async with bot.db.snapshot() as session:
        # The last quote gone and the platform up to date: nothing of it is kept.
        assert (await session.exec(select(NarrationCopy))).all() == []
        assert (await session.exec(select(NarrationCopyQuote))).all() == []


async def test_the_reader_exports_and_takes_the_record_with_them(chat, bot, tmp_path):
    from narrate_bot.storage.copy_tables import NarrationCopy

    await _digest_sent(chat, SECRET)
    await chat.say("alice: /narrate edit 1 kafka rebalancing notes in the runbook")
    await chat.say("bob: /narrate export")
    (export,) = (tmp_path / "exports").glob("*.json")
    (sent,) = json.loads(export.read_text())["follow_digest_messages"]
    assert "“kafka rebalancing notes in the runbook”" in sent["text"]  # as it reads now
    assert "hunter2" not in sent["text"]
    await chat.say("bob: /narrate forget-me", "bob: /narrate forget-me confirm")
    async with bot.db.snapshot() as session:
        assert (await session.exec(select(NarrationCopy))).all() == []
    # alice's delete afterwards asks nobody to edit anything (bob's record went with him).
    assert "edited" not in await chat.say("alice: /narrate delete 1")


async def test_forget_me_takes_every_line_of_the_author_out_of_one_dm(chat, bot):
    await chat.say("carol: /narrate kafka broker upgrade went fine")
    await _digest_sent(chat, SECRET, "kafka consumer lag hunter3 dashboards")
    out = await chat.say("alice: /narrate forget-me", "alice: /narrate forget-me confirm")
    dm = _edited(out)
    assert "hunter2" not in dm and "hunter3" not in dm and "@alice" not in dm
    assert dm.count(REMOVED) == 2
    assert "kafka broker upgrade went fine" in dm and "@carol" in dm
    assert await _rows_mentioning(bot.db, "hunter3") == []


async def test_the_readers_forget_me_empties_their_dm_even_when_the_edit_fails_first(
    chat, bot, monkeypatch
):
    """bob's forget-me first edits his digest to quote nothing (the DM stays on the platform,
    and once he is forgotten a later delete could no longer reach it). The platform failing,
    what is kept meanwhile names no reader and quotes nothing; the wake-up finishes the edit,
    then nothing is kept."""
    from narrate_bot.storage.copy_tables import NarrationCopy, NarrationCopyQuote

    await _digest_sent(chat, SECRET)
    gateway = next(iter(bot.gateways.values()))
    real = type(gateway).update
    failing = {"left": 1}

    async def flaky(self: ChatGateway, tenant, message_id, post) -> None:  # type: ignore[no-untyped-def]
        if failing["left"]:
            failing["left"] -= 1
            raise TimeoutError("the platform is down")
        await real(self, tenant, message_id, post)

    monkeypatch.setattr(type(gateway), "update", flaky)
    out = await chat.say("bob: /narrate forget-me", "bob: /narrate forget-me confirm")
    assert "Done: I erased everything about you" in out and "edited" not in out, out
    assert "A message I sent you quoting others" in out and "still shows their words" in out
    async with bot.db.snapshot() as session:
        waiting = (await session.exec(select(NarrationCopy))).one()
        assert (await session.exec(select(NarrationCopyQuote))).all() == []
    assert waiting.person_id is None and waiting.reader_user_id is None
    assert "hunter2" not in waiting.post and "alice" not in waiting.post
    dm = _edited(await chat.say(":advance 3m"))  # backoff: 2 minutes
    assert "hunter2" not in dm and "@alice" not in dm and FORGOTTEN in dm
    assert "New this week" not in dm  # nor what bob followed
    async with bot.db.snapshot() as session:
        assert (await session.exec(select(NarrationCopy))).all() == []
    assert "edited" not in await chat.say("alice: /narrate delete 1")
