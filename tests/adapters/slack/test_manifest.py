"""The manifest an admin pastes declares exactly what the app listens to, with minimal scopes."""

from __future__ import annotations

from pathlib import Path

import yaml

from narrate_bot_adapters.slack.app import BOT_SCOPES, SHORTCUT_ID

MANIFEST = Path(__file__).resolve().parents[3] / "adapters" / "slack" / "manifest.yaml"


def _manifest() -> dict:
    return yaml.safe_load(MANIFEST.read_text())


def test_manifest_asks_for_no_history_scope_and_exactly_the_scopes_the_code_uses():
    scopes = _manifest()["oauth_config"]["scopes"]["bot"]
    assert not [s for s in scopes if s.endswith(":history")]
    assert sorted(scopes) == sorted(BOT_SCOPES)


async def test_every_subscribed_event_is_handled_and_the_command_and_shortcut_exist(slack):
    """Bolt answers 404 "unhandled request" for an event nobody listens to."""
    manifest = _manifest()
    for name in manifest["settings"]["event_subscriptions"]["bot_events"]:
        event = {"type": name, "user": "U1", "channel": "C1", "event_ts": "1.1"}
        if name == "tokens_revoked":
            event["tokens"] = {"bot": ["UBOT"]}
        status, body, _ = await slack.event(event, f"Ev-{name}")
        assert status == 200, (name, body)
    assert manifest["features"]["slash_commands"][0]["command"] == "/narrate"
    assert manifest["features"]["shortcuts"][0]["callback_id"] == SHORTCUT_ID
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True


async def test_an_event_nobody_listens_to_is_visible_as_unhandled(slack):
    """Guards the test above: an unknown event really gets a non-200."""
    status, _, _ = await slack.event({"type": "reaction_added", "user": "U1"}, "Ev-unknown")
    assert status != 200
