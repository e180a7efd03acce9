"""The DM asking whether an open question is still open, through the real Bolt app.

Fourteen days after asking, the asker gets one DM (``chat.postMessage`` to their user id) with
three buttons; a click, signed as Slack sends it, acts on that question, not on the asker's
newest. Before, nobody was ever asked and a forgotten question stayed open for ever.
"""

from __future__ import annotations

import html
import time
from datetime import timedelta
from typing import Any

from narrate_bot.app import Bot
from tests.adapters.slack.conftest import SlackEnv, until
from tests.adapters.slack.test_open_question_post_lost import _asked, _rows


def _click(slack: SlackEnv, value: str, *, user: str, index: int) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": user},
        "api_app_id": "A1",
        "trigger_id": f"t-{time.monotonic_ns()}",
        "channel": {"id": "D1"},
        "response_url": slack.fake.response_url(user),
        "container": {"type": "message"},
        "message": {"ts": "1.1"},
        "actions": [
            {
                "action_id": f"narrate_cmd_{index}",
                "type": "button",
                "value": value,
                "block_id": "b",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def _nudges(slack: SlackEnv) -> list[dict[str, Any]]:
    return [
        c.params
        for c in slack.fake.called("chat.postMessage")
        if c.params["channel"] == "U1" and "is it still open?" in html.unescape(str(c.params))
    ]


def _buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (e["text"]["text"], e["value"])
        for b in message.get("blocks", [])
        if b["type"] == "actions"
        for e in b["elements"]
    ]


def _to_asker(slack: SlackEnv) -> list[str]:
    return [
        html.unescape(str(c.params.get("text", "")))
        for c in slack.fake.called("chat.postMessage")
        if c.params["channel"] == "U1"
    ]


async def _press(slack: SlackEnv, value: str, index: int) -> str:
    """A click in the DM: the reply comes in the DM, as a message."""
    before = len(_to_asker(slack))
    status, _, _ = await slack.interaction(_click(slack, value, user="U1", index=index))
    assert status == 200
    await until(lambda: len(_to_asker(slack)) > before)
    return _to_asker(slack)[-1]


async def test_the_dm_asks_once_and_its_buttons_act_on_that_question(slack, bot: Bot):
    await _asked(slack, "cobol", "rexx")
    await bot.run_due(bot.clock.now() + timedelta(days=13))
    assert _nudges(slack) == []
    await bot.run_due(bot.clock.now() + timedelta(days=1))
    await until(lambda: len(_nudges(slack)) == 1)
    # One DM a week per asker: cobol's now, rexx's a week later.
    await bot.run_due(bot.clock.now() + timedelta(days=7))
    await until(lambda: len(_nudges(slack)) == 2)
    cobol = next(n for n in _nudges(slack) if "“cobol”" in html.unescape(str(n)))
    text = html.unescape(str(cobol["text"]))
    assert text.startswith("Your question in #questions from "), text
    assert "— “cobol” — is it still open?" in text
    buttons = _buttons(cobol)
    assert [label for label, _ in buttons] == ["Answered", "Still open", "Withdraw"]
    answered, still, _withdraw = (value for _, value in buttons)
    assert still.startswith("/narrate ask-channel still-open q"), buttons

    told = await _press(slack, still, 1)
    assert "your question “cobol” in #questions stays open. I'll ask once more in 14 days" in told
    told = await _press(slack, answered, 0)
    assert "I marked your question “cobol” in #questions answered" in told
    statuses = {row.text: row.status for row in await _rows(slack)}
    assert statuses == {"cobol": "answered", "rexx": "open"}  # not the newest: that one
    # cobol answered: its second nudge never comes; rexx was asked about once, never again.
    await bot.run_due(bot.clock.now() + timedelta(days=30))
    assert len(_nudges(slack)) == 2
