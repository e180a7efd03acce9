"""What a person sees when the work after the ack fails, through the real Bolt app.

Slack has its 200 before our work starts, so it never redelivers because that work failed. A
passing failure (a database failover) is tried again in process and the narration is kept; a
lasting one is told to the person, privately, on the surface they used; and a genuine Slack
redelivery (``X-Slack-Retry-Num``) still neither doubles nor loses anything.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from sqlmodel import select

from narrate_bot.events import ChannelKind
from narrate_bot.features.narrate import NARRATION_FORM
from narrate_bot.storage import platform_store as ps
from narrate_bot_adapters.slack.recovery import SORRY
from narrate_bot_adapters.slack.translate import Where, form_metadata
from tests.adapters.slack.conftest import RETRY, SlackEnv, dm_event, eventually, until

CANARY = "quokka-canary-migration-notes"
SURFACES = ["dm", "mention", "command", "modal"]
DIRECT = Where(channel_id="D1", kind=ChannelKind.DIRECT)  # the modal was opened from a DM


def _mention(text: str) -> dict[str, Any]:
    return {
        "type": "app_mention",
        "user": "U1",
        "channel": "C1",
        "text": f"<@UBOT> {text}",
        "ts": "1763800000.000302",
    }


def _modal(text: str) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "U1", "team_id": "T1"},
        "api_app_id": "A1",
        "view": {
            "id": "V1",
            "hash": "h",
            "type": "modal",
            "callback_id": "narrate_form",
            "private_metadata": form_metadata(form=NARRATION_FORM, where=DIRECT),
            "state": {"values": {"text_block": {"text": {"value": text}}}},
        },
    }


async def _send(slack: SlackEnv, surface: str, text: str, **headers: str) -> int:
    match surface:
        case "dm":
            status, _, _ = await slack.event(dm_event(text), "Ev-dm", **headers)
        case "mention":
            status, _, _ = await slack.event(_mention(text), "Ev-mention", **headers)
        case "command":
            status, _, _ = await slack.command(text)
        case _:
            status, _, _ = await slack.interaction(_modal(text))
    return status


def _failing(slack: SlackEnv, monkeypatch: pytest.MonkeyPatch, times: int | None) -> list[str]:
    """The core fails ``times`` times (``None``: always), as while its database restarts."""
    real = slack.adapter.bot.handle
    failed: list[str] = []

    async def flaky(event: Any) -> Any:
        if times is None or len(failed) < times:
            failed.append(type(event).__name__)
            raise ConnectionError("database restarting")
        return await real(event)

    monkeypatch.setattr(slack.adapter.bot, "handle", flaky)
    slack.adapter.retry_delays = (0.0, 0.0)
    return failed


def _said(slack: SlackEnv) -> list[dict[str, Any]]:
    """Everything the person was shown: messages, ephemerals and response_url answers."""
    posted = [
        {"via": c.method, **c.params}
        for c in slack.fake.calls
        if c.method in ("chat.postMessage", "chat.postEphemeral")
        and c.status == 200
        and c.error is None
    ]
    return posted + [{"via": "response_url", **r} for r in slack.fake.responses]


def _loud(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(
        r.getMessage() + str(r.args) + str(r.exc_info or "")
        for r in caplog.records
        if r.levelno >= logging.INFO
    )


def _tried(slack: SlackEnv, method: str) -> bool:
    return any(c.method == method for c in slack.fake.calls)


async def _stored(slack: SlackEnv) -> list[str]:
    return [n.text for n in await slack.narrations()]


@pytest.mark.parametrize("surface", ["dm", "command", "modal"])
async def test_a_passing_failure_after_the_ack_is_tried_again_and_the_narration_kept(
    slack, monkeypatch, surface
):
    failed = _failing(slack, monkeypatch, times=2)
    assert await _send(slack, surface, "shipped the ledger importer") == 200

    async def kept() -> bool:
        return await _stored(slack) == ["shipped the ledger importer"]

    await eventually(kept)
    await until(lambda: any("Noted as #1" in str(s) for s in _said(slack)))
    assert len(failed) == 2
    assert not any(SORRY in str(s) for s in _said(slack))


@pytest.mark.parametrize("surface", SURFACES)
async def test_when_the_work_keeps_failing_the_person_is_told_to_send_it_again(
    slack, monkeypatch, caplog, surface
):
    caplog.set_level(logging.DEBUG)
    _failing(slack, monkeypatch, times=None)
    text = f"who knows about {CANARY}?" if surface == "mention" else f"notes on {CANARY}"
    assert await _send(slack, surface, text) == 200
    await until(lambda: any(SORRY in str(s) for s in _said(slack)))
    [notice] = [s for s in _said(slack) if SORRY in str(s)]
    match surface:
        case "dm" | "modal":  # a DM: the modal is closed, the DM is where they wrote
            assert (notice["via"], notice["channel"]) == ("chat.postMessage", "U1")
        case "mention":  # only they see it, in the channel they asked in
            assert notice["via"] == "chat.postEphemeral"
            assert (notice["channel"], notice["user"]) == ("C1", "U1")
        case "command":  # where they typed it, privately
            assert (notice["via"], notice["response_type"]) == ("response_url", "ephemeral")
    # What Slack no longer shows them (a modal's text, a command's) is given back, as plain text.
    given_back = [
        b["text"]["text"]
        for b in notice["blocks"]
        if b.get("type") == "section" and b["text"]["type"] == "plain_text"
    ]
    if surface in ("modal", "command"):
        assert any(text in block for block in given_back)
    else:
        assert given_back == []  # their message is still on the screen
    assert await slack.narrations() == []
    assert CANARY not in _loud(caplog)


async def test_a_command_given_back_reads_as_typed_not_as_slack_escaped_it(slack, monkeypatch):
    """Slack sends a command's "&" as "&amp;"; giving "R&amp;D" back would ask them to paste
    something they never typed."""
    _failing(slack, monkeypatch, times=None)
    assert await _send(slack, "command", f"R&amp;D notes on {CANARY}") == 200
    await until(lambda: any(SORRY in str(s) for s in _said(slack)))
    [notice] = [s for s in _said(slack) if SORRY in str(s)]
    given_back = [
        b["text"]["text"]
        for b in notice["blocks"]
        if b.get("type") == "section" and b["text"]["type"] == "plain_text"
    ]
    assert any(f"R&D notes on {CANARY}" in block for block in given_back)
    assert not any("&amp;" in block for block in given_back)


@pytest.mark.parametrize("surface", ["dm", "mention"])
async def test_a_redelivery_of_an_event_the_person_was_told_about_does_nothing_more(
    slack, monkeypatch, surface
):
    """They were asked to send it again: a late Slack retry must not store it as well."""
    _failing(slack, monkeypatch, times=None)
    await _send(slack, surface, "kept once only")
    await until(lambda: any(SORRY in str(s) for s in _said(slack)))
    monkeypatch.undo()
    slack.adapter.retry_delays = (0.0, 0.0)
    said = len(_said(slack))
    assert await _send(slack, surface, "kept once only", **RETRY) == 200
    await slack.event(dm_event("a later narration"), "Ev-later")  # handled after the retry
    await eventually(lambda: _has(slack, "a later narration"))
    assert await _stored(slack) == ["a later narration"]
    assert len(_said(slack)) == said + 1  # only the later narration's "Noted"


async def _has(slack: SlackEnv, text: str) -> bool:
    return text in await _stored(slack)


async def test_when_nobody_can_be_told_a_slack_redelivery_still_saves_it(slack, monkeypatch):
    _failing(slack, monkeypatch, times=None)
    slack.fake.failures["chat.postMessage"] = "fatal_error"
    await _send(slack, "dm", "saved by the redelivery")
    await until(lambda: _tried(slack, "chat.postMessage"))

    async def released() -> bool:
        async with slack.db.transaction() as s:
            found = await s.exec(select(ps.SeenEvent).where(ps.SeenEvent.event_id == "Ev-dm"))
            return found.first() is None

    await eventually(released)
    monkeypatch.undo()
    del slack.fake.failures["chat.postMessage"]
    assert await _send(slack, "dm", "saved by the redelivery", **RETRY) == 200
    await eventually(lambda: _has(slack, "saved by the redelivery"))
    assert await _stored(slack) == ["saved by the redelivery"]


async def test_an_answer_that_cant_be_delivered_is_not_stored_twice_by_a_redelivery(slack):
    """The core committed the narration; only the "Noted" DM failed. Slack's retry of that
    event must find it done, not store a second copy."""
    slack.adapter.retry_delays = (0.0, 0.0)
    slack.fake.failures["chat.postMessage"] = "internal_error"
    await _send(slack, "dm", "stored exactly once")
    await eventually(lambda: _has(slack, "stored exactly once"))
    await until(lambda: _tried(slack, "chat.postMessage"))
    del slack.fake.failures["chat.postMessage"]
    await _send(slack, "dm", "stored exactly once", **RETRY)
    await slack.event(dm_event("the next one"), "Ev-next")  # handled after the retry
    await eventually(lambda: _has(slack, "the next one"))
    assert await _stored(slack) == ["stored exactly once", "the next one"]


async def test_a_database_that_drops_the_event_claim_for_a_moment_loses_nothing(slack, monkeypatch):
    real = ps.claim_event
    dropped: list[str] = []

    async def flaky_claim(*args: Any, **kwargs: Any) -> bool:
        if len(dropped) < 2:
            dropped.append(kwargs["event_id"])
            raise ConnectionError("database restarting")
        return await real(*args, **kwargs)

    monkeypatch.setattr(ps, "claim_event", flaky_claim)
    slack.adapter.retry_delays = (0.0, 0.0)
    assert await _send(slack, "dm", "claimed on the third try") == 200
    await eventually(lambda: _has(slack, "claimed on the third try"))
    await until(lambda: any("Noted as #1" in json.dumps(s) for s in _said(slack)))
    assert dropped == ["Ev-dm", "Ev-dm"]
