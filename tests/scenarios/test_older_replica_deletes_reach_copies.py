"""A replica still on the code from before the followed-topics DMs and introductions posts were
kept (migrations 0034 and 0033) deletes a narration, or erases a person, by its own SQL in a
rolling deploy: the scheduler's next wake-up still edits the follower's DM ("removed by its
author") and the introductions channel's post ("someone who has since left"), once.

Before migration 0037 the DM's quote row cascaded with the narration and nothing was left to
find the line by; the introduction's member row cascaded with the person and nothing made the
post due. Both stayed naming them for good."""

from __future__ import annotations

import re

from sqlalchemy import text

from tests.scenarios.test_follow_digest_follows_its_quotes import REMOVED, SECRET, _digest_sent
from tests.scenarios.test_intro_post_follows_forget_me import EDITED, _posted
from tests.scenarios.test_orphan_update_posts import OLD_DELETE, OLD_FORGET_ME, _as_old_version
from tests.scenarios.test_review_fixes_digest_form import _said_in

# The forget-me of the code from before 0033 (``OLD_FORGET_ME``, which also predates 0025):
# it deletes the person's row, and their introductions' member rows cascade.


async def _scalar(db, statement: str, **values) -> object:
    async with db.engine.connect() as conn:
        return (await conn.execute(text(statement), values)).scalar()


async def _alices(db) -> dict[str, object]:
    person = await _scalar(db, "SELECT id FROM person WHERE user_id = 'alice'")
    narration = await _scalar(db, "SELECT min(id) FROM narration WHERE person_id = :p", p=person)
    return {"person": person, "narration": narration, "user": "alice"}


def _dm_edited(out: str) -> str:
    assert re.search(r"\[console\] edited m\d+ in dm bob", out), out
    return _said_in(out, "dm bob")


async def test_an_older_replicas_delete_reaches_the_followers_dm(chat, db):
    await _digest_sent(chat, SECRET, "kafka consumer lag dashboards")
    await _as_old_version(db, OLD_DELETE, **await _alices(db))
    dm = _dm_edited(await chat.say(":advance 1m"))
    assert "hunter2" not in dm and REMOVED in dm
    assert "kafka consumer lag dashboards" in dm  # the other line stays, naming alice
    assert await _scalar(db, "SELECT count(*) FROM narration_copy_gone") == 0
    assert "edited" not in await chat.say(":advance 1m", ":advance 1h")  # once


async def test_an_older_replicas_forget_me_reaches_the_followers_dm(chat, db):
    await _digest_sent(chat, SECRET)
    await _as_old_version(db, OLD_FORGET_ME, **await _alices(db))
    dm = _dm_edited(await chat.say(":advance 1m"))
    assert "hunter2" not in dm and "@alice" not in dm and REMOVED in dm
    # The DM quotes nothing any more: its record goes once the platform has the edit.
    assert await _scalar(db, "SELECT count(*) FROM narration_copy") == 0


async def test_this_versions_delete_edits_the_dm_once(chat, db):
    await _digest_sent(chat, SECRET)
    out = await chat.say("alice: /narrate delete 1")
    assert REMOVED in _dm_edited(out)
    assert await _scalar(db, "SELECT count(*) FROM narration_copy_gone") == 0
    assert "edited" not in await chat.say(":advance 1m", ":advance 1h")


async def test_an_older_replicas_forget_me_reaches_the_introductions_post(chat, db):
    posted = await _posted(chat)
    await _as_old_version(db, OLD_FORGET_ME, **await _alices(db))
    out = await chat.say(":advance 1m")
    assert EDITED in out and f"[console] edited {posted} in #intros" in out
    assert "alice" not in out.split(EDITED, 1)[1].split("[console] edited", 1)[0]
    assert "edited" not in await chat.say(":advance 1m", ":advance 1h")  # once
