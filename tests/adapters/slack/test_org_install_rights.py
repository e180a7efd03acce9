"""The admin who installed the app org-wide (Enterprise Grid) can export and erase that record.

An org-wide install is filed under the organisation's tenant, while its installer uses the bot
from one of the org's workspaces, a tenant of its own. Export and forget-me looked only at the
workspace's installs: the installer was told "I have nothing stored about you" while their user
id stayed on the install, and forget-me left it there. Now the org's install is theirs from any
workspace Slack says belongs to that org, and from no other.
"""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.oauth.installation_store import Installation as SlackInstallation
from sqlmodel import select

from narrate_bot.storage import platform_store as ps
from narrate_bot_adapters.slack.gateway import ENTERPRISE_KEY
from narrate_bot_adapters.slack.store import DatabaseInstallationStore
from tests.adapters.slack.conftest import SlackEnv, until
from tests.adapters.slack.fake_slack import shown

INSTALLER = "UINA"
ORG_TOKEN = "xoxb-org-wide-test"
IN_THE_ORG = {"enterprise_id": "E1", "enterprise_name": "Grid Org"}


async def _installed_org_wide(slack: SlackEnv) -> DatabaseInstallationStore:
    """What Bolt hands the store after an org-wide OAuth: the org, no team, the installer."""
    store = DatabaseInstallationStore(slack.db)
    await store.async_save(
        SlackInstallation(
            app_id="A1",
            enterprise_id="E1",
            enterprise_name="Grid Org",
            team_id=None,
            bot_token=ORG_TOKEN,
            bot_id="B1",
            bot_user_id="UBOT",
            user_id=INSTALLER,
            is_enterprise_install=True,
        )
    )
    return store


async def _said(slack: SlackEnv, text: str, **where: str) -> str:
    """What the installer is told for ``/narrate <text>`` (sent from workspace T1 unless
    ``where`` says otherwise)."""
    before = len(slack.fake.responses)
    await slack.command(text, user=INSTALLER, **where)
    await until(lambda: len(slack.fake.responses) > before)
    return shown(slack.fake.responses[-1])


async def _exported(slack: SlackEnv, **where: str) -> dict[str, Any]:
    uploads = len(slack.fake.uploads)
    told = await _said(slack, "export", **where)
    assert "Here is everything I store about you" in told
    await until(lambda: len(slack.fake.uploads) > uploads)
    return json.loads(slack.fake.uploads[-1])


async def _installer_on_record(slack: SlackEnv) -> str:
    async with slack.db.transaction() as session:
        row = (await session.exec(select(ps.Installation))).one()
    assert row.bot_token == ORG_TOKEN  # the install itself is never touched
    return row.installer_user_id


def test_the_core_reads_the_org_where_the_slack_adapter_records_it():
    """The core finds a workspace's org by a key it can't import from the adapter."""
    from narrate_bot.storage.privacy import organisation_setting

    assert organisation_setting("slack") == ENTERPRISE_KEY


async def test_an_org_installer_who_never_narrated_can_export_and_erase_the_install(slack):
    store = await _installed_org_wide(slack)
    data = await _exported(slack, **IN_THE_ORG)
    assert data["person"] == {"user_id": INSTALLER}
    [install] = data["installed_the_app"]
    assert install["organisation"] == "Grid Org" and install["workspace"] is None
    assert "xoxb" not in json.dumps(data)

    told = await _said(slack, "forget-me", **IN_THE_ORG)
    assert "I store only your user id, as the person who installed the app." in told
    told = await _said(slack, "forget-me confirm", **IN_THE_ORG)
    assert "Done: your user id is gone from everything I kept it in." in told
    assert await _installer_on_record(slack) == ""
    found = await store.async_find_installation(
        enterprise_id="E1", team_id="T1", is_enterprise_install=True
    )
    assert found is not None and found.bot_token == ORG_TOKEN  # still works for everyone
    assert "I have nothing stored about you." in await _said(slack, "export", **IN_THE_ORG)


async def test_an_org_installer_who_narrates_finds_the_install_in_export_and_forget_me(slack):
    await _installed_org_wide(slack)
    await _said(slack, "shipped the ledger migration", **IN_THE_ORG)
    data = await _exported(slack, **IN_THE_ORG)
    assert [n["text"] for n in data["narrations"]] == ["shipped the ledger migration"]
    assert [i["organisation"] for i in data["installed_the_app"]] == ["Grid Org"]

    await _said(slack, "forget-me", **IN_THE_ORG)
    told = await _said(slack, "forget-me confirm", **IN_THE_ORG)
    assert "Done: I erased everything about you, including 1 narration." in told
    assert await _installer_on_record(slack) == ""


async def test_a_workspace_of_another_org_sees_nothing_of_the_install(slack):
    await _installed_org_wide(slack)
    elsewhere = {"team_id": "T9", "team_domain": "other", "enterprise_id": "E2"}
    assert "I have nothing stored about you." in await _said(slack, "export", **elsewhere)
    told = await _said(slack, "forget-me confirm", **elsewhere)
    assert "I have nothing stored about you." in told
    assert await _installer_on_record(slack) == INSTALLER
    # Nor from a workspace that belongs to no org at all.
    alone = {"team_id": "T8", "team_domain": "alone"}
    assert "I have nothing stored about you." in await _said(slack, "export", **alone)
    assert await _installer_on_record(slack) == INSTALLER


async def _clicked_on_the_home(slack: SlackEnv, command: str) -> None:
    """A button on the installer's App Home in workspace T1 of org E1: no channel, no command."""
    payload = {
        "type": "block_actions",
        "team": {"id": "T1", "domain": "acme", "enterprise_id": "E1"},
        "enterprise": {"id": "E1", "name": "Grid Org"},
        "is_enterprise_install": True,
        "user": {"id": INSTALLER, "team_id": "T1"},
        "api_app_id": "A1",
        "trigger_id": "t-home",
        "container": {"type": "view", "view_id": "V1"},
        "view": {"type": "home", "id": "V1"},
        "actions": [
            {
                "action_id": "narrate_cmd_0",
                "type": "button",
                "value": command,
                "block_id": "b",
                "action_ts": "2.2",
            }
        ],
    }
    status, _, _ = await slack.interaction(payload)
    assert status == 200


async def test_an_org_installer_whose_first_click_is_the_home_export_finds_the_install(slack):
    """The App Home's "Export my data" may be the first thing the installer does in a
    workspace: the click, not only commands and events, tells us which org it belongs to."""
    await _installed_org_wide(slack)
    await _clicked_on_the_home(slack, "/narrate export")
    await until(lambda: slack.fake.uploads or slack.fake.called("chat.postMessage"))
    told = [shown(c.params) for c in slack.fake.called("chat.postMessage")]
    assert "I have nothing stored about you." not in told
    await until(lambda: slack.fake.uploads)
    data = json.loads(slack.fake.uploads[-1])
    assert [i["organisation"] for i in data["installed_the_app"]] == ["Grid Org"]
