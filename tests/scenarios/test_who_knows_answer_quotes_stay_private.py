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
