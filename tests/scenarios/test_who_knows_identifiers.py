"""Identifiers written with underscores (``feature_flags``, ``gopls/internal/folding_range``) can
be asked about.

Both full-text engines index ``feature_flags`` as two words, "feature" and "flags", but the question
kept it whole: before, "who knows feature_flags?" searched nothing at all, and a path holding an
underscore was dropped, leaving only its common words ("gopls", "internal") to rank people by."""

from __future__ import annotations

import re
from datetime import timedelta


def people(out: str) -> list[str]:
    return re.findall(r"^\s*\d+\. <?@(\w+)", out, flags=re.MULTILINE)


async def test_a_snake_case_name_finds_who_narrates_it(chat, clock):
    await chat.say(
        "ines: /narrate feature_flags: cache the rollout rules per tenant",
        "ines: /narrate feature_flags cleanup after the launch",
    )
    clock.advance(timedelta(days=20))
    await chat.say(
        "otto: /narrate feature requests triaged for the beta",
        "otto: /narrate new feature tour in onboarding",
        "otto: /narrate feature parity list for mobile",
        "otto: /narrate red flags in the vendor contract",
    )
    clock.advance(timedelta(days=1))
    out = await chat.say("zoe: /narrate who knows about feature_flags?")
    # The name's words together, as written, say more than either word on its own.
    assert people(out)[0] == "ines"
    assert "ines: narrated about feature_flags 2 times" in out


async def test_a_path_with_an_underscore_names_its_regular(chat, clock):
    await chat.say("ria: /narrate gopls/internal/folding_range: fold closing parentheses")
    clock.advance(timedelta(days=10))
    for change in ("drop stale packages", "share parsed files", "key by module"):
        await chat.say(f"max: /narrate gopls/internal/cache: {change}")
    clock.advance(timedelta(days=1))
    out = await chat.say("zoe: /narrate who gopls/internal/folding_range")
    assert people(out)[0] == "ria"
    assert "ria: narrated about gopls/internal/folding_range 1 time" in out
