"""An invisible character after a typed "<" never makes a live mention, through the real Bolt
app (signed HTTP) against the mock Web API.

Slack sends the typed "<\u200e@U2>" as "&lt;\u200e@U2&gt;". The adapter judged the "<" with
the mark still after it (plain text, kept "<"), then the core's ``clean_text`` dropped the mark
and stored a live "<@U2>", which a who-knows answer quoting it pinged. Now the adapter drops
what ``clean_text`` drops (``clean_text.DROPPED``) before judging brackets, in a message and a
modal's text alike.
"""

from __future__ import annotations

import pytest

from tests.adapters.slack.conftest import until
from tests.adapters.slack.test_typed_brackets import _ask, _modal, _narrate, _setup, _stored

# Bidirectional marks, embeddings, isolates and a control character: all dropped by clean_text.
INVISIBLE = ["\u200e", "\u202e", "\u2066", "\u061c", "\x07"]


@pytest.mark.parametrize("invisible", INVISIBLE)
async def test_an_invisible_mark_after_a_typed_bracket_makes_no_live_mention(slack, invisible):
    _setup(slack)
    await _narrate(slack, "tuned the kafka ledger compaction", user="U2")
    await _narrate(slack, f"paired with &lt;{invisible}@U2&gt; on the kafka ledger", user="U1")
    assert all("<@U2>" not in t for t in await _stored(slack)), await _stored(slack)
    answer = await _ask(slack, "who knows about the kafka ledger?", "Ev-ledger-invisible")
    quoted = [line for line in str(answer["blocks"]).split("\\n") if "paired with" in line]
    assert quoted and all("<@U2>" not in line for line in quoted), quoted


@pytest.mark.parametrize("invisible", INVISIBLE)
async def test_an_invisible_mark_in_the_modal_makes_no_live_mention(slack, invisible):
    _setup(slack)
    await _narrate(slack, "tuned the kafka ledger compaction", user="U2")
    assert await _modal(slack, f"paired with <{invisible}@U2> on the kafka ledger", "U1") == 200
    await until(lambda: len(slack.fake.called("chat.postEphemeral")) > 0)
    stored = await _stored(slack)
    assert any("paired with" in t for t in stored), stored
    assert all("<@U2>" not in t for t in stored), stored
