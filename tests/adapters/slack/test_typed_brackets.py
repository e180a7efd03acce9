"""What people type with "<", ">" and "&" in Slack, kept, found and shown back as typed, through
the real Bolt app (signed HTTP) against the mock Web API.

Only a typed pair the core reads as markup (a mention, channel, broadcast or link: "<@U2>",
"<!here>", "<https://…>") is kept as "‹ ›", on every surface (a modal's text box too), so
typing never pings anyone; "x <= 5", "vector<int>" and "a<b and c>d" stay as typed. Before, any
typed "<" with a ">" anywhere after it became "‹", a modal kept a typed "<@U2>" as markup (a
who-knows answer quoting it pinged U2), a link's label kept "&lt;", a failed command was given
back with "‹@U2›" to paste, and "who knows about R&D?" was refused.
"""

from __future__ import annotations

from typing import Any

import pytest

from narrate_bot_adapters.slack.recovery import SORRY
from tests.adapters.slack.conftest import SlackEnv, until
from tests.adapters.slack.fake_slack import markup, shown
from tests.adapters.slack.test_failures_after_ack import _failing, _said
from tests.adapters.slack.test_stale_forms import submission

ASKED_TS = "1763800000.000900"


def _mention(text: str, user: str = "U3", ts: str = ASKED_TS) -> dict[str, str]:
    return {
        "type": "app_mention",
        "user": user,
        "text": f"<@UBOT> {text}",
        "ts": ts,
        "channel": "C1",
        "event_ts": ts,
    }


def _setup(slack: SlackEnv) -> None:
    slack.fake.channels["C1"] = {"id": "C1", "name": "general", "is_channel": True}
    for user, name in (("U1", "ada"), ("U2", "grace"), ("U3", "alan"), ("U4", "edsger")):
        slack.fake.users[user] = {"id": user, "name": name}


async def _narrate(slack: SlackEnv, text: str, user: str) -> None:
    before = len(slack.fake.responses)
    await slack.command(text, user=user)
    await until(lambda: len(slack.fake.responses) > before)


async def _mine(slack: SlackEnv, user: str) -> str:
    before = len(slack.fake.responses)
    await slack.command("mine", user=user)
    await until(lambda: len(slack.fake.responses) > before)
    return shown(dict(slack.fake.responses[-1]))


async def _ask(slack: SlackEnv, question: str, event_id: str) -> dict[str, Any]:
    """U3 asks in #general; the answer posted there."""
    before = len(slack.fake.called("chat.postMessage"))
    await slack.event(_mention(question), event_id)
    await until(lambda: len(slack.fake.called("chat.postMessage")) > before)
    return dict(slack.fake.called("chat.postMessage")[-1].params)


async def _stored(slack: SlackEnv) -> list[str]:
    return [n.text for n in await slack.narrations()]


@pytest.mark.parametrize(
    ("sent", "typed"),
    [
        ("kafka guard: x &lt;= 5 and y &gt;= 3", "kafka guard: x <= 5 and y >= 3"),
        ("kafka guard takes a vector&lt;int&gt; now", "kafka guard takes a vector<int> now"),
        ("kafka guard: a&lt;b and c&gt;d", "kafka guard: a<b and c>d"),
        ("kafka guard ships the &lt;beta&gt;", "kafka guard ships the <beta>"),
    ],
)
async def test_brackets_that_are_no_markup_are_kept_found_and_shown_as_typed(slack, sent, typed):
    _setup(slack)
    await _narrate(slack, sent, user="U2")
    assert await _stored(slack) == [typed]
    assert typed in await _mine(slack, "U2")
    answer = await _ask(slack, "who knows about the kafka guard?", "Ev-guard")
    assert markup(answer).people == {"U2"}
    assert typed in shown(answer) and "\u2039" not in shown(answer)


async def test_a_typed_mention_or_broadcast_stays_look_alike_text(slack):
    _setup(slack)
    await _narrate(slack, "paired with &lt;@U1&gt; on the kafka guard, &lt;!here&gt;", "U2")
    assert await _stored(slack) == [
        "paired with \u2039@U1\u203a on the kafka guard, \u2039!here\u203a"
    ]


async def test_a_link_label_shows_its_brackets_as_typed(slack):
    _setup(slack)
    event = {
        "type": "message",
        "channel_type": "im",
        "user": "U2",
        "channel": "D2",
        "text": "kafka guard rules: <https://wiki.example/guard|when a &lt; b, ask &lt;@U1&gt;>",
        "ts": "1763800000.000700",
    }
    await slack.event(event, "Ev-dm-label")
    await until(lambda: slack.fake.called("chat.postMessage"))
    [text] = await _stored(slack)
    # The label as typed; a typed mention inside it still never becomes one.
    assert "|when a < b, ask \u2039@U1\u203a>" in text, text
    mine = await _mine(slack, "U2")
    assert "when a < b" in mine and "&lt;" not in mine


async def test_a_failed_command_is_given_back_exactly_as_typed(slack, monkeypatch):
    _setup(slack)
    _failing(slack, monkeypatch, times=None)
    await slack.command("paired with &lt;@U2&gt; on R&amp;D, x &lt;= 5")
    await until(lambda: any(SORRY in str(s) for s in _said(slack)))
    [notice] = [s for s in _said(slack) if SORRY in str(s)]
    given_back = [
        b["text"]["text"]
        for b in notice["blocks"]
        if b.get("type") == "section" and b["text"]["type"] == "plain_text"
    ]
    assert given_back == ["/narrate paired with <@U2> on R&D, x <= 5"]


async def _modal(slack: SlackEnv, text: str, user: str) -> int:
    before = len(slack.fake.called("views.open"))
    await slack.command("", user=user)
    await until(lambda: len(slack.fake.called("views.open")) > before)
    view = slack.fake.called("views.open")[-1].params["view"]
    status, _, _ = await slack.interaction(submission(view, text, user=user))
    return status


async def test_a_mention_typed_in_the_modal_never_pings_when_quoted(slack):
    """A who-knows answer names U1 and U2 and quotes U1's narration, typed in the modal with
    "<@U2>" in it: only the answer's own mention of U2 is live."""
    _setup(slack)
    await _narrate(slack, "tuned the kafka ledger compaction", user="U2")
    assert await _modal(slack, "paired with <@U2> on the kafka ledger <= 5 ms", "U1") == 200
    await until(lambda: len(slack.fake.called("chat.postEphemeral")) > 0)
    stored = await _stored(slack)
    assert stored[1] == "paired with \u2039@U2\u203a on the kafka ledger <= 5 ms"
    answer = await _ask(slack, "who knows about the kafka ledger?", "Ev-ledger")
    assert markup(answer).people == {"U1", "U2"}
    quoted = [line for line in str(answer["blocks"]).split("\\n") if "paired with" in line]
    assert quoted and all("<@U2>" not in line for line in quoted), quoted
    assert "paired with \u2039@U2\u203a on the kafka ledger <= 5 ms" in shown(answer)


async def test_a_failed_modal_is_given_back_as_typed(slack, monkeypatch):
    _setup(slack)
    await slack.command("", user="U1")
    await until(lambda: slack.fake.called("views.open"))
    view = slack.fake.called("views.open")[-1].params["view"]
    _failing(slack, monkeypatch, times=None)
    await slack.interaction(submission(view, "paired with <@U2> on R&D &lt;", user="U1"))
    await until(lambda: any(SORRY in str(s) for s in _said(slack)))
    [notice] = [s for s in _said(slack) if SORRY in str(s)]
    given_back = [
        b["text"]["text"]
        for b in notice["blocks"]
        if b.get("type") == "section" and b["text"]["type"] == "plain_text"
    ]
    assert given_back == ["paired with <@U2> on R&D &lt;"]
    assert "<@U2>" not in str(markup(notice).people)


async def test_who_knows_about_r_and_d_names_who_writes_r_and_d(slack):
    _setup(slack)
    await _narrate(slack, "R&amp;D budget review with finance", user="U2")
    await _narrate(slack, "split the R/D cables and the r d labels", user="U4")
    await _narrate(slack, "ported the R scripts to the new cluster", user="U1")
    answer = await _ask(slack, "who knows about R&amp;D?", "Ev-rd")
    assert markup(answer).people == {"U2"}, shown(answer)
    assert "R&D" in shown(answer)
    answer = await _ask(slack, "who knows about r&amp;d", "Ev-rd-lower")
    assert markup(answer).people == {"U2"}, shown(answer)
    # "R&D" is still no R language: asked about R, nobody who only wrote R&D is named.
    answer = await _ask(slack, "who knows about R?", "Ev-r")
    assert "U2" not in markup(answer).people and "U1" in markup(answer).people
