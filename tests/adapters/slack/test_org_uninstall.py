"""An org-wide install (Enterprise Grid) removed from the org erases every workspace of the org
we hold anything for; removed from some of its workspaces (``team_access_revoked``), those.
Workspaces outside the org are never touched."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import yaml
from slack_sdk.oauth.installation_store import Installation as SlackInstallation
from sqlmodel import select

from narrate_bot.storage import platform_store as ps
from narrate_bot.storage.tables import Narration, Tenant
from narrate_bot_adapters.slack.store import DatabaseInstallationStore
from tests.adapters.slack.conftest import SlackEnv, eventually, until
from tests.adapters.slack.fake_slack import MANIFEST


async def _installed_org_wide(slack: SlackEnv) -> None:
    await DatabaseInstallationStore(slack.db).async_save(
        SlackInstallation(
            app_id="A1",
            enterprise_id="E1",
            team_id=None,
            bot_token="xoxb-org-wide-test",
            bot_id="B1",
            bot_user_id="UBOT",
            user_id="UINA",
            is_enterprise_install=True,
        )
    )


async def _narrates(slack: SlackEnv, team: str, text: str, enterprise: str | None = "E1") -> None:
    before = len(slack.fake.responses)
    extra = {"team_id": team} | ({"enterprise_id": enterprise} if enterprise else {})
    await slack.command(text, user="W1", **extra)
    await until(lambda: len(slack.fake.responses) > before)


async def _state(slack: SlackEnv) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    async with slack.db.transaction() as s:
        tenants = sorted((await s.exec(select(Tenant.external_id))).all())
        texts = sorted((await s.exec(select(Narration.text))).all())
        installs = sorted(
            (i.enterprise_id, i.team_id) for i in (await s.exec(select(ps.Installation))).all()
        )
    return tenants, texts, installs


async def _org(slack: SlackEnv) -> None:
    await _installed_org_wide(slack)
    await _narrates(slack, "T5", "zanzibar work in the fifth workspace")
    await _narrates(slack, "T6", "xylophone work in the sixth workspace")
    await _narrates(slack, "T9", "outside the org entirely", enterprise=None)
    assert len((await _state(slack))[1]) == 3


async def _send(slack: SlackEnv, body: dict[str, Any]) -> int:
    status, _, _ = await slack.post(json.dumps(body), "application/json")
    return status


def _org_event(event: dict[str, Any], event_id: str, **outer: Any) -> dict[str, Any]:
    return {
        "token": "legacy-unused",
        "enterprise_id": "E1",
        "team_id": None,
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": event_id,
        "event_time": 1763800000,
        "event": event,
        "authorizations": [
            {"enterprise_id": "E1", "team_id": None, "is_enterprise_install": True, "is_bot": True}
        ],
    } | outer


async def test_removing_the_app_from_one_workspace_of_the_org_erases_that_workspace(slack):
    await _org(slack)
    revoked = _org_event({"type": "team_access_revoked", "team_ids": ["T6"]}, "Ev-tar")

    assert await _send(slack, revoked) == 200

    async def t6_gone() -> bool:
        return "T6" not in (await _state(slack))[0]

    await eventually(t6_gone)
    tenants, texts, installs = await _state(slack)
    assert texts == ["outside the org entirely", "zanzibar work in the fifth workspace"]
    assert installs == [("E1", "")]  # the org's other workspaces keep the app
    assert "T5" in tenants and "T9" in tenants


@pytest.mark.parametrize("named", ["T5", None])
async def test_uninstalling_from_the_org_erases_every_workspace_of_the_org(slack, named):
    await _org(slack)
    uninstalled = _org_event(
        {"type": "app_uninstalled"}, f"Ev-un-{named}", team_id=named, is_enterprise_install=True
    )

    assert await _send(slack, uninstalled) == 200

    async def only_the_other_company_left() -> bool:
        return await _state(slack) == (["T9"], ["outside the org entirely"], [])

    await eventually(only_the_other_company_left)


async def test_a_repeated_revocation_changes_nothing_more(slack):
    await _org(slack)
    revoked = _org_event({"type": "team_access_revoked", "team_ids": ["T6"]}, "Ev-tar")
    assert await _send(slack, revoked) == 200

    async def t6_gone() -> bool:
        return "T6" not in (await _state(slack))[0]

    await eventually(t6_gone)
    after = await _state(slack)
    assert await _send(slack, revoked | {"event_id": "Ev-tar"}) == 200  # Slack's retry
    await asyncio.sleep(0.3)
    assert await _state(slack) == after


def test_the_manifest_subscribes_to_a_workspace_removed_from_an_org_wide_install():
    manifest = yaml.safe_load(MANIFEST.read_text())
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert "team_access_revoked" in events and "app_uninstalled" in events
    # app_uninstalled_team would need admin.apps:read, an admin scope the bot has no use for.
    assert "app_uninstalled_team" not in events
    assert not [s for s in manifest["oauth_config"]["scopes"]["bot"] if s.startswith("admin")]
