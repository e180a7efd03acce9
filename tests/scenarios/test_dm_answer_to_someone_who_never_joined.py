"""A who-knows answer sent by DM to someone who never joined (the bot keeps no person for
them) follows its quotes too: kept under their user id, exported with it, and emptied by their
forget-me before that id goes.

Found by privacy review: such an answer was never kept, and a delete never reached it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.scenarios.test_review_fixes_digest_form import _said_in

SECRET = "kafka rebalancing hunter2 password in the runbook"


async def test_a_dm_answer_to_someone_who_never_joined_follows_its_quotes(chat):
    """bob never ran /narrate join; he asks by DM and is shown alice's narration: her delete
    reaches his DM."""
    out = await chat.say(
        f"alice in #general: /narrate {SECRET}",
        "bob in dm: who knows about kafka?",
    )
    assert "hunter2" in _said_in(out, "dm bob"), out
    out = await chat.say("alice: /narrate delete 1")
    assert re.search(r"\[console\] edited a\d+ in dm bob", out), out
    assert "hunter2" not in _said_in(out, "dm bob")


async def test_a_dm_answer_to_someone_who_never_joined_is_exported_and_forgotten(chat):
    """Kept under bob's user id alone: his export shows it, and his forget-me empties it
    (nothing quoted is left on the platform or kept) before his id goes."""
    out = await chat.say(
        f"alice in #general: /narrate {SECRET}",
        "bob in dm: who knows about kafka?",
    )
    assert "hunter2" in _said_in(out, "dm bob"), out
    exported = await chat.say("bob: /narrate export")
    data = json.loads(Path(exported.split("saved to ", 1)[1].strip()).read_text())
    [kept] = data["who_knows_answer_messages"]
    assert "hunter2" in kept["text"], data
    out = await chat.say("bob: /narrate forget-me", "bob: /narrate forget-me confirm")
    assert "your user id is gone" in out, out
    assert re.search(r"\[console\] edited a\d+ in dm bob", out), out
    assert "hunter2" not in _said_in(out, "dm bob")
    assert "I have nothing stored about you" in await chat.say(
        "bob: /narrate forget-me", "bob: /narrate forget-me confirm"
    )
