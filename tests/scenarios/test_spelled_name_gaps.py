"""Spelled names the search missed (issue #3): "R & D" typed with spaces, and C++
written inside Chinese or Japanese text or at full width.

Both engines index only the letters of these names, and the search keeps a match only where
the narration spells the name (``words.spells``). "R & D" was no name at all (and its R was
taken for the R language); C++ glued to Japanese ("私はC++のビルドを直した") or
typed at full width ("Ｃ＋＋") was indexed as "c" and then dropped as not spelling it. Nobody
whose narrations merely hold the letters is named.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.scenarios.test_who_knows_ranking import people


async def _team(chat, clock, *lines: str) -> None:
    await chat.say(*lines)
    clock.advance(timedelta(days=1))


@pytest.mark.parametrize("asked", ["R&D", "R & D", "r&d"])
async def test_r_and_d_with_or_without_spaces_is_one_name(chat, clock, asked):
    await _team(
        chat,
        clock,
        "bob: /narrate R & D budget review with finance",
        "cody: /narrate R&D roadmap for the next quarter",
        "carl: /narrate relabelled the R/D cable bundle, r d pins",
        "rosa: /narrate fitted the churn model in R with tidyverse",
    )
    assert sorted(people(await chat.say(f"zoe: @narrate who knows about {asked}?"))) == [
        "bob",
        "cody",
    ]


async def test_r_and_d_with_spaces_is_not_the_r_language(chat, clock):
    await _team(
        chat,
        clock,
        "bob: /narrate R & D budget review with finance",
        "rosa: /narrate fitted the churn model in R with tidyverse",
    )
    assert people(await chat.say("zoe: @narrate who knows R?")) == ["rosa"]


@pytest.mark.parametrize("asked", ["C++", "Ｃ＋＋"])
async def test_cpp_inside_cjk_text_or_at_full_width_is_cpp(chat, clock, asked):
    await _team(
        chat,
        clock,
        "bob: /narrate 私はC++のビルドを直した",
        "carl: /narrate Ｃ＋＋のテンプレートを書いた",
        "dana: /narrate 我们把C++编译器升级了",
        "dora: /narrate 私はCのビルドを直した, vitamin c, plan C",
    )
    out = await chat.say(f"zoe: @narrate who knows about {asked}?")
    assert sorted(people(out)) == ["bob", "carl", "dana"], out


async def test_a_question_in_japanese_names_cpp(chat, clock):
    await _team(
        chat,
        clock,
        "bob: /narrate rewrote the C++ allocator",
        "dora: /narrate plan C for the launch, vitamin c",
    )
    out = await chat.say("zoe: /narrate who 誰がC++のビルドに詳しい?")
    assert people(out) == ["bob"], out
