"""Slack sends "&", "<" and ">" in what people type as "&amp;", "&lt;" and "&gt;" (messages,
mentions, a slash command's text; a modal's text box is sent as typed). A narration typed
"R&D shipped the <beta>" is kept as typed, shown back once (not "R&amp;D"), and found by
"who knows about R&D tooling?"; a typed "<@U2>" stays text, never a mention of U2. Before, the
entities were kept: stored, indexed, shown double-escaped, and asked about as "R&amp;D".
Signed HTTP into the real Bolt app."""

from __future__ import annotations

from typing import Any

from tests.adapters.slack.conftest import dm_event, until
from tests.adapters.slack.fake_slack import markup, shown
from tests.adapters.slack.test_stale_forms import submission

TYPED = "R&amp;D shipped the &lt;beta&gt; of the kafka ledger"  # "R&D shipped the <beta> …"


def _mention(text: str) -> dict[str, str]:
    return {
        "type": "app_mention",
        "user": "U3",
        "text": f"<@UBOT> {text}",
        "ts": "1763800000.000900",
        "channel": "C1",
        "event_ts": "1763800000.000900",
    }


async def _mine(slack: Any, user: str = "U1") -> dict[str, Any]:
    before = len(slack.fake.responses)
    await slack.command("mine", user=user)
    await until(lambda: len(slack.fake.responses) > before)
    return dict(slack.fake.responses[-1])


async def test_a_slash_command_narration_is_kept_and_shown_as_typed(slack):
    await slack.command(TYPED)
    await until(lambda: slack.fake.responses)
    [narration] = await slack.narrations()
    assert narration.text.startswith("R&D shipped the ")
    assert "&amp;" not in narration.text and "&lt;" not in narration.text
    assert "beta" in narration.text
    seen = shown(await _mine(slack))
    assert "R&D shipped the " in seen
    assert "R&amp;D" not in seen and "&lt;" not in seen


async def test_a_dm_narration_is_kept_as_typed(slack):
    await slack.event(dm_event(TYPED, "1763800000.000700"), "Ev-dm-escaped")
    await until(lambda: slack.fake.called("chat.postMessage"))
    [narration] = await slack.narrations()
    assert narration.text.startswith("R&D shipped the ") and "&amp;" not in narration.text


async def test_who_knows_about_r_and_d_finds_a_narration_typed_in_the_modal(slack):
    slack.fake.users["U2"] = {"id": "U2", "name": "grace"}
    await slack.command("", user="U2")
    await until(lambda: slack.fake.called("views.open"))
    view = slack.fake.called("views.open")[0].params["view"]
    status, _, _ = await slack.interaction(submission(view, "R&D tooling rollout plan", user="U2"))
    assert status == 200
    await until(lambda: slack.fake.called("chat.postEphemeral"))
    [narration] = await slack.narrations()
    assert narration.text == "R&D tooling rollout plan"  # a text box's value is never decoded

    await slack.event(_mention("who knows about R&amp;D tooling?"), "Ev-who-rd")
    await until(lambda: slack.fake.called("chat.postMessage"))
    answer = slack.fake.called("chat.postMessage")[-1].params
    assert markup(answer).people == {"U2"}
    assert "R&D" in shown(answer) and "R&amp;D" not in shown(answer)


async def test_a_typed_mention_stays_text(slack):
    slack.fake.users["U2"] = {"id": "U2", "name": "grace"}
    await slack.command("paired with &lt;@U2&gt; on R&amp;D tooling")
    await until(lambda: slack.fake.responses)
    [narration] = await slack.narrations()
    assert "<@U2>" not in narration.text and "R&D tooling" in narration.text
    answer = await _mine(slack)
    assert "U2" not in markup(answer).people
    assert "@U2" in shown(answer) and "R&D" in shown(answer)


async def test_a_typed_entity_and_lone_brackets_are_kept_as_typed(slack):
    await slack.command("write a &lt; b as &amp;lt; in the docs, and a &gt; b as &amp;gt;")
    await until(lambda: slack.fake.responses)
    [narration] = await slack.narrations()
    assert narration.text == "write a < b as &lt; in the docs, and a > b as &gt;"
    assert "write a < b as &lt; in the docs, and a > b as &gt;" in shown(await _mine(slack))
