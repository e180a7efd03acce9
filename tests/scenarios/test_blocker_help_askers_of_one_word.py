"""Blocker help: someone whose only match is one of the topic's words, in a narration that was
itself an ask, is said to have asked about that word ("@bob asked about batch"), not "asked
about it too" (the wording 196d98b fixed only for who narrates about one word).
"""

from __future__ import annotations


def _pointer(out: str) -> str:
    """The line of the confirmation that points to people, or ``""``."""
    return next((line.strip() for line in out.splitlines() if "/narrate who" in line), "")


async def test_someone_who_asked_about_one_word_is_said_to_have_asked_about_that_word(chat):
    await chat.say("bob in #general: /narrate stuck on the batch job scheduler")
    out = await chat.say("alice in #general: /narrate stuck on the batch kafka acls")
    line = _pointer(out)
    assert "@bob asked about batch" in line and "asked about it too" not in line, out


async def test_someone_who_asked_about_it_is_said_to_have_asked_about_it_too(chat):
    """Coverage (worked before)."""
    await chat.say("bob in #general: /narrate stuck on the kafka acls for ledger")
    out = await chat.say("alice in #general: /narrate stuck on the batch kafka acls")
    assert "@bob asked about it too" in _pointer(out), out
