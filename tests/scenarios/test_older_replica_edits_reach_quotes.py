"""A replica still on the code from before migration 0047 edits a narration a followed-topics DM
quotes (or a who-knows answer does), or unshares it, by its own SQL in a rolling deploy: the
scheduler's next wake-up still rewrites the message's line to the new words, or removes it for a
reader who may no longer read the narration, once. This version's own edit edits the DM once,
the repair leaving it alone, and puts right words an older replica's edit left behind.

Before 0047 nothing marked the quotes behind their narration: the DM kept the old words (a
password the author edited out), or kept quoting a narration taken back to a private channel,
for good."""

from __future__ import annotations

from tests.scenarios.test_follow_digest_follows_its_quotes import REMOVED, SECRET, _digest_sent
from tests.scenarios.test_older_replica_deletes_reach_copies import _alices, _dm_edited, _scalar
from tests.scenarios.test_orphan_update_posts import _as_old_version
from tests.scenarios.test_review_fixes_digest_form import _said_in
from tests.scenarios.test_who_knows_answer_follows_its_quotes import _answered
from tests.scenarios.test_who_knows_answer_follows_its_quotes import _edited as _answer_edited

NEW = "kafka rebalancing notes in the runbook"
OLD_EDIT = (f"UPDATE narration SET text = '{NEW}' WHERE id = :narration",)
# The older unshare of a narration written in a private channel, then shared: the channel's.
OLD_UNSHARE = (
    "UPDATE narration SET audience = 'channel', audience_before_sharing = NULL"
    " WHERE id = :narration",
)


async def _left(db) -> object:
    return await _scalar(db, "SELECT count(*) FROM narration_copy_edit")


async def test_an_older_replicas_edit_reaches_the_followers_dm(chat, db):
    await _digest_sent(chat, SECRET, "kafka consumer lag dashboards")
    await _as_old_version(db, OLD_EDIT, **await _alices(db))
    dm = _dm_edited(await chat.say(":advance 1m"))
    assert "hunter2" not in dm and f"“{NEW}”" in dm
    assert "kafka consumer lag dashboards" in dm
    assert await _left(db) == 0
    assert "edited" not in await chat.say(":advance 1m", ":advance 1h")  # once


async def test_an_older_replicas_unshare_takes_the_line_from_who_may_not_read_it(chat, db):
    out = await chat.say(
        ":channel #secret private alice",
        "bob: /narrate follow kafka",
        f"alice in #secret: /narrate {SECRET}",
        "alice: /narrate share 1",  # the whole workspace's: bob's DM lists it
        ":advance 1h",
    )
    assert "hunter2" in _said_in(out, "dm bob"), out
    await _as_old_version(db, OLD_UNSHARE, **await _alices(db))
    dm = _dm_edited(await chat.say(":advance 1m"))
    assert "hunter2" not in dm and REMOVED in dm
    assert await _left(db) == 0
    assert "edited" not in await chat.say(":advance 1m", ":advance 1h")


async def test_an_older_replicas_unshare_leaves_the_line_for_who_still_may(chat, db):
    await chat.say(
        ":channel #secret private alice,bob",
        "bob: /narrate follow kafka",
        f"alice in #secret: /narrate {SECRET}",
        "alice: /narrate share 1",
    )
    await chat.say(":advance 1h")
    await _as_old_version(db, OLD_UNSHARE, **await _alices(db))
    assert "edited" not in await chat.say(":advance 1m")  # bob is in #secret
    assert await _left(db) == 0


async def test_this_versions_edit_edits_the_dm_once(chat, db):
    await _digest_sent(chat, SECRET)
    out = await chat.say(f"alice: /narrate edit 1 {NEW}")
    assert out.count("[console] edited") == 1 and f"“{NEW}”" in _dm_edited(out)
    assert await _left(db) == 0
    assert "edited" not in await chat.say(":advance 1m", ":advance 1h")


async def test_this_versions_edit_after_an_older_replicas_puts_the_words_right(chat, db):
    await _digest_sent(chat, SECRET)
    await _as_old_version(db, OLD_EDIT, **await _alices(db))
    out = await chat.say("alice: /narrate edit 1 kafka rebalancing, see the wiki")
    assert out.count("[console] edited") == 1
    dm = _dm_edited(out)
    assert "hunter2" not in dm and NEW not in dm and "“kafka rebalancing, see the wiki”" in dm
    assert await _left(db) == 0
    assert "edited" not in await chat.say(":advance 1m", ":advance 1h")


async def test_an_older_replicas_edit_reaches_the_channels_who_knows_answer(chat, db):
    await _answered(chat, SECRET)
    await _as_old_version(db, OLD_EDIT, **await _alices(db))
    answer = _answer_edited(await chat.say(":advance 1m"))
    assert "hunter2" not in answer and f"“{NEW}”" in answer
    assert "edited" not in await chat.say(":advance 1m", ":advance 1h")
