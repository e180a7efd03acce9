"""A form update made "only me" again by ``/narrate unshare`` leaves its prompt's thread, through
the console.

A prompt reply posted in the thread goes back to its channel's readers when unshared (it was
written for them, or for the workspace), so its post stays readable by whom it may. One whose
audience before sharing was "only me" (a row no command of this version makes: the post would
have had to go out while it was the author's alone) went back to "only me", and its words stayed
in the channel's thread for everyone there. Now the post is deleted with the unshare (its place
left to the orphaned posts' repair in the same transaction, so a platform failing right then is
tried again), and sharing again posts nothing.
"""

from __future__ import annotations

from sqlalchemy import text

from narrate_bot.events import Platform
from tests.scenarios.test_orphan_update_posts import _places_left
from tests.scenarios.test_update_posts import _form, _prompted, _Undeleting

REMOVED = "[console] removed m2 from #team thread m1"


async def _workspace_update_once_only_mine(chat, bot, clock) -> None:
    """bob's workspace update, posted as m2 in #team's thread m1, whose audience before sharing
    says "only me"."""
    await _prompted(chat)
    [reply] = await bot.handle(_form(clock, "tenant"))
    assert "Posted in the prompt's thread in #team." in reply.text
    async with bot.db.engine.begin() as conn:
        await conn.execute(text("UPDATE narration SET audience_before_sharing = 'only_me'"))


async def test_unshared_to_only_me_the_post_leaves_the_thread_for_good(chat, bot, clock, db):
    await _workspace_update_once_only_mine(chat, bot, clock)
    out = await chat.say("bob: /narrate unshare 1")
    assert REMOVED in out
    assert (
        "#1 is no longer shared: it's visible only to you. I took it out of the prompt's thread "
        "in #team; sharing it again won't post it there." in out
    )
    assert await _places_left(db) == (0, 0)
    shared = await chat.say("bob: /narrate share 1")
    assert "now visible to everyone in this workspace" in shared
    later = await chat.say(":advance 1m", ":advance 1h")
    assert "posted as" not in shared + later and "salary talk" not in shared + later


async def test_a_platform_failing_then_is_tried_again_by_the_repair(chat, bot, clock, db):
    await _workspace_update_once_only_mine(chat, bot, clock)
    console = bot.gateways[Platform.CONSOLE]
    bot.gateways[Platform.CONSOLE] = _Undeleting(console)
    out = await chat.say("bob: /narrate unshare 1")
    assert "it's visible only to you." in out and "removed" not in out
    assert (
        "I couldn't take it out of the prompt's thread in #team just now; I'll keep trying." in out
    )
    assert await _places_left(db) == (0, 1)  # nameless: where the post is, nothing else
    bot.gateways[Platform.CONSOLE] = console
    assert REMOVED in await chat.say(":advance 1m")
    assert await _places_left(db) == (0, 0)


async def test_unshared_back_to_its_channel_the_post_stays(chat, bot, clock, db):
    await _prompted(chat)
    await bot.handle(_form(clock, "tenant"))
    out = await chat.say("bob: /narrate unshare 1")
    assert "it's visible where you wrote it, #team." in out
    assert "removed" not in out and "thread" not in out.split("#team.", 1)[1]
    assert await _places_left(db) == (1, 0)
