"""A typed "/narrate ask-channel <question>" whose post fails gets the question back with the
reason: Slack empties the command box once a command is sent, so a reply without it loses what
the person typed. Before, only a question too long to post was handed back."""

from __future__ import annotations

import pytest

from tests.adapters.slack.conftest import SlackEnv, until

QUESTION = "how do we rotate the ledger service's signing keys without downtime"


async def _said(slack: SlackEnv, text: str, user: str = "U1") -> str:
    before = len(slack.fake.responses)
    await slack.command(text, user=user)
    await until(lambda: len(slack.fake.responses) > before)
    return str(slack.fake.responses[-1]["text"])


@pytest.mark.parametrize(
    ("error", "why"),
    [
        ("internal_error", "I couldn't post to #questions just now; please try again."),
        ("is_archived", "I can't post in #questions: it's archived."),
    ],
)
async def test_a_failed_post_hands_the_question_back(slack, error, why):
    slack.fake.channels["CQ"] = {"id": "CQ", "name": "questions"}
    await slack.command("questions-channel here", user="U2", channel="CQ", channel_name="questions")
    await until(lambda: slack.fake.responses)
    slack.fake.failures["chat.postMessage"] = error
    told = await _said(slack, f"ask-channel #questions {QUESTION}")
    assert why in told
    # Quoted, as Slack shows it: the apostrophe stays, the quote marker is escaped.
    assert told.endswith(
        f"Here it is, to ask again with /narrate ask-channel &lt;question&gt;:\n&gt; {QUESTION}"
    ), told
