"""A question typed without a channel ("/narrate ask-channel <question>") is offered with an
"Ask in #questions" button carrying the question as it would be posted (links and mentions taken
out), so a question holding a long link still fits in the button and posts whole. Before, the
button carried the question as typed, and Slack's 2,000-character limit on a button's value cut
it (and the command it runs) mid-link."""

from __future__ import annotations

from tests.adapters.slack.conftest import until
from tests.adapters.slack.test_open_questions_channel_choice import (
    _button_values,
    _click,
    _posts_to,
)

LINK = "https://wiki.example.com/runbooks/" + "a" * 2100


async def test_a_question_with_a_long_link_fits_its_button_and_posts_whole(slack):
    slack.fake.channels["CQ"] = {"id": "CQ", "name": "questions"}
    await slack.command("questions-channel here", channel="CQ", channel_name="questions")
    await until(lambda: slack.fake.responses)
    await slack.command(f"ask-channel kafka consumer lag <{LINK}|our runbook>")
    await until(lambda: len(slack.fake.responses) >= 2)
    offered = slack.fake.responses[-1]
    assert "Want me to post your question in #questions" in str(offered["text"])
    [value] = _button_values(offered)
    assert value == "/narrate ask-channel <#CQ> kafka consumer lag"

    await slack.interaction(_click(slack, value))
    await until(lambda: _posts_to(slack, "CQ"))
    [posted] = _posts_to(slack, "CQ")
    assert "is looking for someone who knows about “kafka consumer lag”" in str(posted["text"])
