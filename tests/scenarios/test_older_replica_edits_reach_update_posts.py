"""A replica still on the code from before migration 0044 edits a form update, or makes it "only
me" again, by its own SQL in a rolling deploy: the scheduler's next wake-up still edits the post
in the prompt's thread to the new words, or takes it out of the thread, once. This version's own
edit edits the post once, the repair leaving it alone.

Before 0044 nothing marked the post behind its narration: it kept the old words, or stayed for
the whole channel to read, for good."""

from __future__ import annotations

from narrate_bot.events import Platform
from tests.scenarios.test_orphan_update_posts import (
    REMOVED,
    _as_old_version,
    _bobs_update,
    _places_left,
    _scalar,
)

EDITED = "[console] edited m2 in #team"
NEW_WORDS = "[#team thread] @bob wrote an update:\n  shipped the ledger importer, with docs"

# What an older version's edit and unshare run on the narration (its repositories, as SQL):
# neither knows the post in the prompt's thread.
OLD_EDIT = (
    "UPDATE narration SET text = 'shipped the ledger importer, with docs' WHERE id = :narration",
)
OLD_UNSHARE = (
    "UPDATE narration SET audience = 'only_me', audience_before_sharing = NULL"
    " WHERE id = :narration",
)


async def _due(db) -> object:
    return await _scalar(db, "SELECT count(*) FROM update_post WHERE resync_at IS NOT NULL")


async def test_an_older_replicas_edit_reaches_the_post(chat, db):
    ids = await _bobs_update(chat, db)
    await _as_old_version(db, OLD_EDIT, **ids)
    out = await chat.say(":advance 1m")
    assert EDITED in out and NEW_WORDS in out
    assert await _due(db) == 0
    assert "edited" not in await chat.say(":advance 1m", ":advance 1h")  # once


async def test_an_older_replicas_unshare_takes_the_post_out(chat, db):
    ids = await _bobs_update(chat, db)
    await _as_old_version(db, OLD_UNSHARE, **ids)
    out = await chat.say(":advance 1m")
    assert REMOVED in out and "edited" not in out
    assert await _places_left(db) == (0, 0)
    shared = await chat.say("bob: /narrate share 1")
    later = await chat.say(":advance 1m", ":advance 1h")
    assert "posted as" not in shared + later and "removed" not in later


async def test_this_versions_edit_edits_the_post_once(chat, db):
    await _bobs_update(chat, db)
    out = await chat.say("bob: /narrate edit 1 shipped the ledger importer, with docs")
    assert out.count("[console] edited") == 1 and EDITED in out and NEW_WORDS in out
    assert "Updated #1. Its post in the prompt's thread is changed too." in out
    assert await _due(db) == 0
    assert "edited" not in await chat.say(":advance 1m", ":advance 1h")


class _Unediting:
    """The console's gateway, refusing edits (the platform down for a while)."""

    def __init__(self, inner: object) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    async def update(self, *args: object, **kwargs: object) -> None:
        raise ConnectionError("the platform is down")


async def test_this_versions_edit_the_platform_refused_is_made_later(chat, bot, db):
    await _bobs_update(chat, db)
    console = bot.gateways[Platform.CONSOLE]
    bot.gateways[Platform.CONSOLE] = _Unediting(console)
    out = await chat.say("bob: /narrate edit 1 shipped the ledger importer, with docs")
    assert "I'll try again in a few minutes." in out and "edited" not in out
    bot.gateways[Platform.CONSOLE] = console
    assert "edited" not in await chat.say(":advance 1m")  # leased: the edit's own for now
    out = await chat.say(":advance 5m")
    assert out.count("[console] edited") == 1 and EDITED in out and NEW_WORDS in out
    assert "edited" not in await chat.say(":advance 1m", ":advance 1h")
