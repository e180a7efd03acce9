"""An open-questions channel shared with another organisation after it was chosen gets no more
questions, and isn't offered: a question names its asker, and the other organisation reads the
channel now. Before, only choosing a shared channel was refused; once chosen, sharing it later
changed nothing, and questions kept going to the partner's members."""

from __future__ import annotations

from tests.adapters.slack.conftest import SlackEnv, until
from tests.adapters.slack.test_channel_sharing import _wait_for_kind

QUESTION = "our unreleased ledger migration"
REFUSED = (
    "The open-questions channel #questions is now shared with another organisation, so I won't "
    "post questions there. Ask an admin to choose another with /narrate questions-channel "
    "#channel."
)


async def _said(slack: SlackEnv, text: str, user: str = "U1") -> str:
    before = len(slack.fake.responses)
    await slack.command(text, user=user)
    await until(lambda: len(slack.fake.responses) > before)
    return str(slack.fake.responses[-1]["text"])


async def _share_the_questions_channel(slack: SlackEnv) -> None:
    slack.fake.channels["CQ"] = {"id": "CQ", "name": "questions"}
    await slack.command("questions-channel here", user="U2", channel="CQ", channel_name="questions")
    await until(lambda: slack.fake.responses)
    assert "Open questions now go to #questions" in str(slack.fake.responses[-1]["text"])
    # An admin connects a partner organisation to #questions; Slack says so.
    slack.fake.channels["CQ"] = {"id": "CQ", "name": "questions", "is_ext_shared": True}
    slack.fake.members["CQ"] = ["UBOT", "U1", "U2", "UACME"]
    status, _, _ = await slack.event(
        {
            "type": "channel_shared",
            "connected_team_id": "TACME",
            "channel": "CQ",
            "event_ts": "1763800100.000100",
        },
        "Ev-shared-q",
    )
    assert status == 200
    await _wait_for_kind(slack, "CQ", "private")


def _posted_in_questions(slack: SlackEnv) -> list[object]:
    return [c for c in slack.fake.called("chat.postMessage") if c.params["channel"] == "CQ"]


async def test_a_question_is_not_posted_and_is_handed_back(slack):
    await _share_the_questions_channel(slack)
    told = await _said(slack, f"ask-channel <#CQ|questions> {QUESTION}")
    assert _posted_in_questions(slack) == [], f"posted to the partner-shared channel: {told}"
    assert told.startswith(f"{REFUSED} Nothing was posted. Here it is, to ask again"), told
    assert f"&gt; {QUESTION}" in told  # quoted, as Slack shows it


async def test_it_is_no_longer_offered(slack):
    await _share_the_questions_channel(slack)
    told = await _said(slack, f"who knows about {QUESTION}?")
    assert REFUSED in told, told
    buttons = [r for r in slack.fake.responses[-1].get("blocks", []) if r.get("type") == "actions"]
    assert buttons == [], buttons
    assert _posted_in_questions(slack) == []
