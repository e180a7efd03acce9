"""Slack answering a 5xx with a plain-text body (its edge, in an outage) is read as "no error
code", through the real Bolt app and slack_sdk against the local mock Web API. slack_sdk leaves
its raw HTTP response on such a ``SlackApiError``, which has no ``.get``: the gateway read the
code with ``error.response.get`` and raised an ``AttributeError`` of its own instead."""

from __future__ import annotations

import logging

from tests.adapters.slack.conftest import SlackEnv, until

BAD_GATEWAY = (502, "<html><body>502 Bad Gateway</body></html>")


async def _said(slack: SlackEnv, text: str, user: str = "U1", **where: str) -> str:
    before = len(slack.fake.responses)
    await slack.command(text, user=user, **where)
    await until(lambda: len(slack.fake.responses) > before)
    return str(slack.fake.responses[-1]["text"])


async def test_a_502_while_checking_the_questions_channel_still_answers(slack, caplog):
    slack.fake.channels["CQ"] = {"id": "CQ", "name": "questions", "is_member": False}
    await _said(slack, "hello from questions", user="U2", channel="CQ", channel_name="questions")
    slack.fake.statuses["conversations.info"] = BAD_GATEWAY
    with caplog.at_level(logging.WARNING):
        chosen = await _said(slack, "questions-channel #questions", user="U2")
    # The choice is made and said; whether the app is in it can't be told, so nothing is.
    assert chosen.startswith("Open questions now go to #questions"), chosen
    assert "not in" not in chosen and "wrong" not in chosen.lower(), chosen
    assert [c for c in slack.fake.calls if c.method == "conversations.info" and c.error == "502"]
    failures = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert not any("AttributeError" in m for m in failures), failures
    assert any("conversations.info failed" in m for m in failures), failures
