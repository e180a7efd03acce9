"""``ask-channel answered by @name`` through the real Bolt app: Slack's mention names who
answered; they are credited and thanked by DM."""

from __future__ import annotations

from tests.adapters.slack.conftest import until
from tests.adapters.slack.test_open_question_post_lost import _asked, _dms, _rows, _said


async def test_answered_by_a_mention_credits_and_thanks_them(slack):
    """Slack's mention (``<@U2>``, as the client sends it) names who answered."""
    await _asked(slack, "cobol")
    await _said(slack, "I fixed the cobol build", user="U2")  # bob takes part
    told = await _said(slack, "ask-channel answered by <@U2>")
    assert "your question “cobol” in #questions answered, thanks to <@U2>" in told, told
    await until(lambda: bool(_dms(slack, "U2")))
    assert _dms(slack, "U2") == [
        "<@U1> says you answered their question “cobol” in #questions. Thank you! It counts "
        "among the workspace's answered questions in /narrate stats."
    ]
    [row] = await _rows(slack)
    assert row.status == "answered"
