"""A DM that says where the work stands is kept, even when it opens with "need help with".

571ead8 made a short DM "need help with <topic>" a who-knows question that keeps nothing, so
status updates in those words were lost: "need help with the billing export since monday",
"I need help with the release today", an answer to one's own reminder. Now only a bare request
(a few words naming a subject, nothing after them but thanks or a final "?") is asked, and its
answer offers "Keep as a narration"; words of time or state ("since", "today", "again",
"stuck"…), a second thought after a break, or a DM answering the person's reminder are kept.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from narrate_bot.storage.tables import Narration

CAROL = "carol in #general: /narrate tightened the kafka acls and the billing export retries"
KEEP = "(button) Keep as a narration: /narrate note "


async def _texts(db) -> list[str]:
    async with db.transaction() as s:
        return [n.text for n in (await s.exec(select(Narration).order_by(Narration.id))).all()]


@pytest.mark.parametrize(
    "said",
    [
        "need help with the billing export since monday",
        "I need help with the release today",
        "need help with the migration - stuck on locks",
        "need help with flaky tests again",
        "need help with kafka? still failing on the ledger topics",
        "need help with billing: the export job",
    ],
)
async def test_a_status_update_needing_help_is_kept(chat, db, said):
    await chat.say(CAROL)
    out = await chat.say(f"alice in dm: {said}")
    assert "Noted as #1" in out and "Who knows about" not in out, out
    assert said in await _texts(db)


async def test_a_bare_request_answers_who_knows_and_offers_to_keep_it(chat, db):
    await chat.say(CAROL)
    out = await chat.say("alice in dm: need help with kafka acls")
    assert "Who knows about “kafka acls”" in out and "@carol" in out, out
    assert f"{KEEP}need help with kafka acls" in out
    assert "or send /narrate note need help with kafka acls" in out
    assert "Noted" not in out
    assert len(await _texts(db)) == 1  # carol's only
    command = out.split(KEEP, 1)[1].splitlines()[0]
    out = await chat.say(f"alice in dm: /narrate note {command}")  # what the button sends
    assert "Noted as #1." in out, out
    assert (await _texts(db))[-1] == "need help with kafka acls"
    # "help me with …" in a DM is asked too, with the same offer; a mention is no update.
    out = await chat.say("alice in dm: help me with the billing export")
    assert "Who knows about “the billing export”" in out and "@carol" in out, out
    assert f"{KEEP}help me with the billing export" in out
    out = await chat.say("alice in #general: @narrate need help with kafka acls")
    assert "Who knows about “kafka acls”" in out and "Keep as a narration" not in out


async def test_a_dm_answering_ones_reminder_is_kept_whatever_it_says(chat, db):
    await chat.say(CAROL, ":tz alice Europe/Berlin", "alice: /narrate remind me weekdays 17:00")
    out = await chat.say(":advance 8h")
    assert "[dm alice] Your reminder to narrate" in out, out
    out = await chat.say("alice in dm: need help with kafka acls")
    assert "Noted as #1" in out and "Who knows about" not in out, out
    assert "@carol" in out  # the confirmation still names who could help
    assert (await _texts(db))[-1] == "need help with kafka acls"
    # Answered: the next request is asked (with the offer), until the next reminder.
    out = await chat.say("alice in dm: need help with billing export")
    assert "Who knows about “billing export”" in out and KEEP in out, out
    assert "[dm alice] Your reminder to narrate" in await chat.say(":advance 1d")
    out = await chat.say(":advance 1h", "alice in dm: I need help with billing export")
    assert "Noted as #2" in out and "Who knows about" not in out, out
    # A day after it, a reminder left unanswered (Friday's) no longer makes a request an update.
    out = await chat.say(":advance 4d", "alice in dm: need help with billing export")
    assert "2026-11-28T18:00" in out  # Saturday
    assert "Who knows about “billing export”" in out and KEEP in out, out
