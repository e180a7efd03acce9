"""The weekly digest uses only the narrations of people taking part.

Someone who ran ``/narrate leave`` was told "you won't be suggested to anyone", and the topic
map and who-knows left them out, but the digest still counted their narrations and listed their
team among those "worked on by more than one team". Leaving now takes them out of it too.
Pausing is only a break from prompts and suggestions: a paused person's narrations still count
in the digest's figures (which name nobody), and a question they narrated isn't listed.
"""

from __future__ import annotations

from tests.helpers import Chat
from tests.scenarios.test_review_fixes_digest_form import _said_in

# The console's clock starts Monday 2026-11-23 09:00 Berlin; the digest goes out on Friday.


async def _week(chat: Chat) -> None:
    await chat.say(
        ":channel #team public",
        "bob in #team: /narrate schedule digest on fri 16:00 Europe/Berlin",
        "alice@payments: /narrate stuck on flibbertigibbet tuning for kafka, ideas?",
        "carol@search: /narrate kafka tuning for the search indexer",
    )


async def _digest(chat: Chat) -> tuple[str, str]:
    """The digest's post in #team and its thread."""
    out = await chat.say(":clock 2026-11-27T16:05:00+01:00")
    return _said_in(out, "#team"), _said_in(out, "#team thread")


async def test_the_digest_leaves_out_the_narrations_of_someone_who_left(chat):
    await _week(chat)
    assert "You've left" in await chat.say("alice: /narrate leave")
    post, thread = await _digest(chat)
    assert "This week, as #team can see it: 1 narration on" in post
    assert "payments" not in thread  # her team no longer makes kafka "cross-team"
    assert "Worked on by more than one team" not in thread
    assert "flibbertigibbet" not in post + thread and "@alice" not in thread


async def test_coming_back_brings_her_narrations_back_into_the_digest(chat):
    await _week(chat)
    await chat.say("alice: /narrate leave", "alice: /narrate join")
    post, thread = await _digest(chat)
    assert "This week, as #team can see it: 2 narrations on" in post
    assert "• kafka: payments, search" in thread


async def test_a_paused_persons_narrations_still_count_but_she_is_not_named(chat):
    await _week(chat)
    assert "Paused until" in await chat.say("alice: /narrate pause 2w")
    post, thread = await _digest(chat)
    assert "This week, as #team can see it: 2 narrations on" in post
    assert "• kafka: payments, search" in thread
    assert "@alice" not in thread and "flibbertigibbet" not in thread
