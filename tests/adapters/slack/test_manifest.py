"""The manifest an admin pastes declares exactly what the app listens to, with minimal scopes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from narrate_bot_adapters.slack.app import BOT_SCOPES, SHORTCUT_ID
from tests.adapters.slack.conftest import until

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


def test_the_bot_may_open_dms_and_group_dms():
    """conversations.open needs im:write for one person (the DM an export is shared in) and
    mpim:write for several (introductions and their follow-ups), per conversation type."""
    scopes = set(_manifest()["oauth_config"]["scopes"]["bot"])
    assert {"im:write", "mpim:write"} <= scopes


async def test_what_the_manifest_grants_covers_every_call_the_bot_makes(slack):
    """The fake answers missing_scope like Slack; a workspace installed from the manifest
    (or through OAuth, which asks for BOT_SCOPES) never gets one."""
    from narrate_bot.events import Platform, TenantRef
    from narrate_bot.replies import Post

    slack.fake.channels["G1"] = {"id": "G1", "name": "secret", "is_private": True}
    slack.fake.members["G1"] = ["U1", "U2"]
    await slack.command("reading about raft in the secret channel", channel="G1")
    await until(lambda: slack.fake.responses)  # stored before it's exported (acks come first)
    await slack.command("export")
    await until(lambda: slack.fake.called("files.completeUploadExternal"))
    gateway = slack.adapter.bot.gateways[Platform.SLACK]
    follow_up = Post(
        text="Did you get to meet <@U1> and <@U2>?",
        to_users=("U1", "U2"),
        names={"U1": "ada", "U2": "grace"},
    )
    await gateway.post(TenantRef(platform=Platform.SLACK, tenant_id="T1"), follow_up)
    [group] = slack.fake.called("conversations.open")[-1:]
    assert group.params["users"] == "U1,U2"
    methods = {c.method for c in slack.fake.calls}
    assert {"users.info", "conversations.info", "conversations.members"} <= methods
    assert [c.method for c in slack.fake.calls if c.error == "missing_scope"] == []


async def test_a_scope_the_token_lacks_fails_like_on_slack(slack):
    """Guards the test above: without mpim:write the group DM can't be opened."""
    from slack_sdk.errors import SlackApiError

    from narrate_bot.events import Platform, TenantRef
    from narrate_bot.ports import CannotPostThere
    from narrate_bot.replies import Post

    slack.fake.default_scopes.discard("mpim:write")
    gateway = slack.adapter.bot.gateways[Platform.SLACK]
    post = Post(text="Introduction #1", to_users=("U1", "U2"))
    with pytest.raises(CannotPostThere) as refused:
        await gateway.post(TenantRef(platform=Platform.SLACK, tenant_id="T1"), post)
    # A missing scope stays until an admin reinstalls: final at once, with Slack's own answer.
    cause = refused.value.__cause__
    assert isinstance(cause, SlackApiError)
    assert cause.response["error"] == "missing_scope"
    assert cause.response["needed"] == "mpim:write"
