"""A who-knows answer (or followed-topics DM) that follows its quotes never shows words its
readers may no longer read: an unshare back to "only me", an edit after the reader lost access,
a DM to someone who never joined, and a reader's own forget-me (ADR 0012).

Found by privacy review of the answers that follow their quotes."""

from __future__ import annotations

import re
from itertools import count

from narrate_bot.events import Audience, ChannelKind, ChannelRef, CommandInvoked, UserRef
from narrate_bot_adapters.console.adapter import TENANT
from tests.scenarios.test_review_fixes_digest_form import _said_in

SECRET = "kafka rebalancing hunter2 password in the runbook"
EDITED = "kafka acquisition of zanzibar corp, board only"
_ids = count()


async def _only_me(bot, clock, user: str, text: str, channel: ChannelRef) -> None:
    await bot.handle(
        CommandInvoked(
            event_id=f"only-me-{next(_ids)}",
            tenant=TENANT,
            user=UserRef(user_id=user, display_name=user),
            channel=channel,
            occurred_at=clock.now(),
            command="narrate",
            text=text,
            audience=Audience.ONLY_ME,
        )
    )


async def test_unshared_back_to_only_me_leaves_the_channel_it_was_written_in(bot, chat, clock):
    """alice's "only me" note written in #general, shared, quoted by #general's answer, then
    unshared: it is hers alone again, so #general's answer loses the quote."""
    general = ChannelRef(channel_id="general", name="general", kind=ChannelKind.PUBLIC)
    await chat.say("alice: /narrate join")
    await _only_me(bot, clock, "alice", SECRET, general)
    out = await chat.say(
        "alice: /narrate share 1", "bob in #general: @narrate who knows about kafka?"
    )
    assert "hunter2" in _said_in(out, "#general thread"), out
    out = await chat.say("alice: /narrate unshare 1")
    assert "visible only to you" in out, out
    assert re.search(r"\[console\] edited a\d+ in #general", out), out
    assert "hunter2" not in _said_in(out, "#general thread")


async def test_an_edit_after_the_asker_left_the_private_channel_removes_the_quote(chat):
    """bob, a member of #secret then, asked by DM and was shown alice's #secret narration; he
    left #secret: her edit takes the line out of his DM instead of sending him the new words."""
    out = await chat.say(
        ":channel #secret private alice,bob",
        "bob: /narrate join",
        f"alice in #secret: /narrate {SECRET}",
        "bob in dm: who knows about kafka?",
    )
    assert "hunter2" in _said_in(out, "dm bob"), out
    await chat.say(":channel #secret private alice")  # bob left #secret
    out = await chat.say(f"alice: /narrate edit 1 {EDITED}")
    assert "zanzibar" not in out, out
    assert re.search(r"\[console\] edited a\d+ in dm bob", out), out
    assert "hunter2" not in _said_in(out, "dm bob")


async def test_an_edit_after_the_source_channel_went_private_removes_the_quote_elsewhere(chat):
    """alice's narration in public #eng was quoted by #general's answer; #eng became private
    (bob isn't in it): her edit takes the line out of #general's answer."""
    out = await chat.say(
        f"alice in #eng: /narrate {SECRET}",
        "bob in #general: @narrate who knows about kafka?",
    )
    assert "hunter2" in _said_in(out, "#general thread"), out
    await chat.say(":channel #eng private alice")
    out = await chat.say(f"alice: /narrate edit 1 {EDITED}")
    assert "zanzibar" not in out, out
    assert "hunter2" not in _said_in(out, "#general thread")


async def test_an_edit_still_reaches_those_who_may_read_it(chat):
    """The check keeps what it should: #secret's own answer gets the new words."""
    out = await chat.say(
        ":channel #secret private alice,bob",
        f"alice in #secret: /narrate {SECRET}",
        "bob in #secret: @narrate who knows about kafka?",
    )
    assert "hunter2" in _said_in(out, "#secret thread"), out
    out = await chat.say(f"alice: /narrate edit 1 {EDITED}")
    assert "zanzibar" in _said_in(out, "#secret thread"), out


async def test_an_edit_after_a_follower_left_the_private_channel_leaves_their_digest(chat):
    """The followed-topics DM likewise: bob's digest quoted alice's #secret narration while he
    was a member; he left, and her edit takes the line out of his DM."""
    out = await chat.say(
        ":channel #secret private alice,bob",
        "bob: /narrate follow kafka",
        f"alice in #secret: /narrate {SECRET}",
        ":advance 1h",  # Monday 09:00 UTC: bob's weekly DM
    )
    assert "hunter2" in _said_in(out, "dm bob"), out
    await chat.say(":channel #secret private alice")
    out = await chat.say(f"alice: /narrate edit 1 {EDITED}")
    assert "zanzibar" not in out, out
    assert re.search(r"\[console\] edited m\d+ in dm bob", out), out
    assert "hunter2" not in _said_in(out, "dm bob")
