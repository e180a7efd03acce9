"""A name of two letters joined by "&" (R&D, M&A) is found behind a hundred newer narrations
that have its letters but don't spell it, through the real Bolt app on both engines.

The index holds only the letters ("r d"; PostgreSQL's "english" drops "a", so M&A is "m",
which "I'm" holds too), and ``words.spells`` kept only the narrations spelling the name after
the 100-match window: 101 newer "R/D" or "I'm" narrations hid an older R&D or M&A one. Each
engine now keeps only a match that may spell the name before the window
(``search.spelled_globs`` / ``spelled_regex``, bounded by ``SPELLED_SCAN``), as for C++ and C#.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.adapters.slack.fake_slack import markup, shown
from tests.adapters.slack.test_typed_brackets import _ask, _narrate, _setup


@pytest.mark.parametrize(
    ("name", "spelled", "newer"),
    [
        ("R&amp;D", "R&amp;D budget review with finance", "relabelled the R/D cable bundle {n}"),
        ("M&amp;A", "M&amp;A due diligence checklist", "I'm rebuilding the staging cluster {n}"),
    ],
)
async def test_an_ampersand_name_is_found_behind_a_hundred_newer_look_alikes(
    slack, clock, name, spelled, newer
):
    _setup(slack)
    await _narrate(slack, spelled, user="U2")
    for n in range(101):
        clock.advance(timedelta(minutes=1))
        await _narrate(slack, newer.format(n=n), user="U4")
    answer = await _ask(slack, f"who knows about {name}?", "Ev-amp-window")
    assert markup(answer).people == {"U2"}, shown(answer)
