"""Open questions through the real Bolt app and a fake Slack: a question goes only to the channel
its button named, once; guests, people from another organisation, Slack Connect channels and
group DMs don't become the workspace's open-questions channel."""

from __future__ import annotations

import time
from typing import Any

from tests.adapters.slack.conftest import SlackEnv, until


def _click(
    slack: SlackEnv, value: str, *, user: str = "U1", channel: str = "DU1"
) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": user},
        "api_app_id": "A1",
        "trigger_id": f"t-{time.monotonic_ns()}",
        "channel": {"id": channel},
        "response_url": slack.fake.response_url(user),
        "container": {"type": "message"},
        "message": {"ts": "1.1"},
        "actions": [
            {
                "action_id": "narrate_cmd_0",
                "type": "button",
                "value": value,
                "block_id": "b",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def _posts_to(slack: SlackEnv, channel: str) -> list[dict[str, Any]]:
    return [
        c.params
        for c in slack.fake.called("chat.postMessage")
        if c.params.get("channel") == channel
    ]


def _button_values(message: dict[str, Any]) -> list[str]:
    return [
        e["value"]
        for b in message.get("blocks", [])
        if b["type"] == "actions"
        for e in b["elements"]
    ]


async def test_an_old_button_does_not_post_where_an_admin_moved_the_setting(slack):
    slack.fake.channels["G1"] = {"id": "G1", "name": "leads", "is_private": True}
    slack.fake.members["G1"] = ["UBOT", "U1"]
    slack.fake.channels["C1"] = {"id": "C1", "name": "general"}
    slack.fake.users["UADM"] = {"id": "UADM", "name": "ann", "is_admin": True}
    await slack.command("questions-channel here", channel="G1", channel_name="leads")
    await until(lambda: len(slack.fake.responses) >= 1)
    await slack.command("who severance packages", channel="DU1", channel_name="directmessage")
    await until(lambda: _posts_to(slack, "U1"))
    [value] = _button_values(_posts_to(slack, "U1")[-1])
    assert value == "/narrate ask-channel <#G1> severance packages"
    await slack.command("questions-channel here", user="UADM", channel="C1")
    await until(lambda: len(slack.fake.responses) >= 2)
    assert "now go to #general" in slack.fake.responses[-1]["text"]

    await slack.interaction(_click(slack, value))
    await until(lambda: len(slack.fake.responses) >= 3 or len(_posts_to(slack, "U1")) >= 2)
    answer = str(slack.fake.responses[2:] + _posts_to(slack, "U1")[1:])
    assert _posts_to(slack, "C1") == [] and _posts_to(slack, "G1") == []
    assert "Open questions go to #general now, so I posted nothing." in answer
    assert "/narrate ask-channel <#C1> severance packages" in answer


async def test_a_button_without_a_channel_is_offered_again_not_posted(slack):
    slack.fake.channels["C1"] = {"id": "C1", "name": "general"}
    await slack.command("questions-channel here", channel="C1", channel_name="general")
    await until(lambda: len(slack.fake.responses) >= 1)
    await slack.interaction(_click(slack, "/narrate ask-channel severance packages"))
    await until(lambda: len(slack.fake.responses) >= 2 or _posts_to(slack, "U1"))
    assert _posts_to(slack, "C1") == []
    assert "/narrate ask-channel <#C1> severance packages" in str(
        slack.fake.responses[1:] + _posts_to(slack, "U1")
    )


async def test_a_double_click_posts_the_question_once(slack):
    slack.fake.channels["CQ"] = {"id": "CQ", "name": "questions"}
    await slack.command("questions-channel here", channel="CQ", channel_name="questions")
    await until(lambda: slack.fake.responses)
    click = "/narrate ask-channel <#CQ> cobol mainframes"
    await slack.interaction(_click(slack, click))
    await slack.interaction(_click(slack, click))
    answered = lambda: [  # noqa: E731
        c for c in slack.fake.called("chat.postMessage") if c.params["channel"] != "CQ"
    ]
    await until(lambda: len(answered()) + len(slack.fake.responses) >= 3)
    assert len(_posts_to(slack, "CQ")) == 1
    # Which one the second click hears depends on whether the first's post was out yet.
    told = str([c.params for c in answered()] + slack.fake.responses)
    assert (
        "Already posted in #questions" in told
        or "I'm still posting your question in #questions" in told
    )


async def test_someone_from_another_organisation_cannot_choose_the_channel(slack):
    slack.fake.channels["C7"] = {"id": "C7", "name": "partner-globex", "is_ext_shared": True}
    slack.fake.members["C7"] = ["UBOT", "U1", "UEXT"]
    slack.fake.users["UEXT"] = {
        "id": "UEXT",
        "name": "eve",
        "team_id": "TOTHER",
        "profile": {"display_name": "eve (Globex)", "team": "TOTHER"},
    }
    await slack.command("questions-channel here", user="UEXT", channel="C7")
    await until(lambda: slack.fake.responses)
    text = slack.fake.responses[-1]["text"]
    assert "Open questions now go" not in text and "guest or from another organisation" in text


async def test_a_slack_connect_channel_is_refused_for_a_member_too(slack):
    slack.fake.channels["C7"] = {
        "id": "C7",
        "name": "partner-globex",
        "is_ext_shared": True,
        "is_shared": True,
    }
    slack.fake.members["C7"] = ["UBOT", "U1", "UEXT"]
    await slack.command("questions-channel here", channel="C7", channel_name="partner-globex")
    await until(lambda: slack.fake.responses)
    text = slack.fake.responses[-1]["text"]
    assert "Open questions now go" not in text and "shared with another organisation" in text


async def test_a_group_dm_is_refused(slack):
    slack.fake.channels["GDM1"] = {"id": "GDM1", "name": "mpdm-u1--u2--u3-1", "is_mpim": True}
    slack.fake.members["GDM1"] = ["UBOT", "U1", "U2", "U3"]
    await slack.command("questions-channel here", channel="GDM1", channel_name="mpdm-u1--u2--u3-1")
    await until(lambda: slack.fake.responses)
    text = slack.fake.responses[-1]["text"]
    assert "Open questions now go" not in text and "not a group DM" in text
