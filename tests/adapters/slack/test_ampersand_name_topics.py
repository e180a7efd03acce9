"""A name of two letters joined by "&" (R&D) can be hidden, offered and followed, through the
real Bolt app (signed HTTP) against the mock Web API.

Since 7bdc03f people are found for "who knows about R&D?", but ``/narrate hide-me R&D``,
``ask-me-about R&D`` and ``follow R&D`` were refused as naming no topic: ``topic_match.stems``
knew C++ and .NET, not R&D. It now reads it as "r&d", as the search does.
"""

from __future__ import annotations

from tests.adapters.slack.conftest import SlackEnv, until
from tests.adapters.slack.fake_slack import markup, shown
from tests.adapters.slack.test_typed_brackets import _ask, _narrate, _setup


async def _said(slack: SlackEnv, command: str, user: str) -> str:
    before = len(slack.fake.responses)
    await slack.command(command, user=user)
    await until(lambda: len(slack.fake.responses) > before)
    return shown(dict(slack.fake.responses[-1]))


async def test_whoever_is_found_for_r_and_d_can_hide_from_it(slack):
    _setup(slack)
    await _narrate(slack, "R&amp;D budget review with finance", user="U2")
    answer = await _ask(slack, "who knows about R&amp;D?", "Ev-rd-1")
    assert markup(answer).people == {"U2"}, shown(answer)
    said = await _said(slack, "hide-me R&amp;D", "U2")
    answer = await _ask(slack, "who knows about R&amp;D?", "Ev-rd-2")
    assert "U2" not in markup(answer).people, (said, shown(answer))


async def test_ask_me_about_and_follow_r_and_d_are_taken(slack):
    _setup(slack)
    for command in ("ask-me-about R&amp;D", "follow R&amp;D"):
        said = await _said(slack, command, "U2")
        assert "too common" not in said and "has none" not in said, said
        assert "R&D" in said, said
