"""The OAuth v2 install flow, our installation store, Grid org installs and token rotation."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import aiohttp
import pytest
from pydantic import SecretStr
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import select

from narrate_bot.config import SlackSettings
from narrate_bot.storage import platform_store as ps
from narrate_bot.storage import repositories as repo
from narrate_bot.storage.database import Database
from narrate_bot.storage.tables import Narration
from narrate_bot_adapters.slack.app import BOT_SCOPES, SlackAdapter
from narrate_bot_adapters.slack.http import SlackHttpServer
from narrate_bot_adapters.slack.store import RotatingAuthorize, SignedStateStore
from tests.adapters.slack.conftest import SECRET, event_body, eventually, signed_headers, until

# slack_sdk 3.47 passes aiohttp.BasicAuth to oauth.v2.access, which aiohttp 3.14 deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")


@pytest.fixture
async def oauth_app(bot, fake):
    settings = SlackSettings(
        signing_secret=SecretStr(SECRET),
        client_id="111.222",
        client_secret=SecretStr("cs"),
        state_secret=SecretStr("state-secret"),
        api_url=fake.base_url,
    )
    adapter = SlackAdapter(bot, settings)
    runner, port = await SlackHttpServer(adapter, SECRET).start("127.0.0.1", 0)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        yield adapter, http, f"http://127.0.0.1:{port}"
    await runner.cleanup()
    await adapter.drain()


async def install_t9(http: aiohttp.ClientSession, base: str, fake) -> None:
    """Install the app in workspace T9 ("Nine") through the OAuth pages, as its admin U9 would,
    with every scope the install page asks for; its bot token is ``xoxb-installed-9``."""
    async with http.get(f"{base}/slack/install") as response:
        page = await response.text()
        cookie = response.headers["Set-Cookie"].split(";")[0]
    state = re.search(r"state=([^&\"]+)", page).group(1)
    fake.oauth_responses.append(
        {
            "app_id": "A1",
            "authed_user": {"id": "U9"},
            "scope": ",".join(BOT_SCOPES),
            "token_type": "bot",
            "access_token": "xoxb-installed-9",
            "bot_user_id": "UBOT",
            "team": {"id": "T9", "name": "Nine"},
            "enterprise": None,
            "is_enterprise_install": False,
        }
    )
    async with http.get(
        f"{base}/slack/oauth_redirect?code=c0de&state={state}", headers={"Cookie": cookie}
    ) as response:
        assert response.status == 200


async def test_install_flow_stores_the_workspace_and_its_token_is_used(oauth_app, fake, db):
    adapter, http, base = oauth_app
    async with http.get(f"{base}/slack/install") as response:
        assert response.status == 200
        page = await response.text()
        cookie = response.headers["Set-Cookie"].split(";")[0]  # Secure: the jar won't resend it
    state = re.search(r"state=([^&\"]+)", page).group(1)
    assert cookie == f"slack-app-oauth-state={state}"
    fake.oauth_responses.append(
        {
            "app_id": "A1",
            "authed_user": {"id": "U9"},
            "scope": ",".join(BOT_SCOPES),  # what the install page asked for
            "token_type": "bot",
            "access_token": "xoxb-installed-9",
            "bot_user_id": "UBOT",
            "team": {"id": "T9", "name": "Nine"},
            "enterprise": None,
            "is_enterprise_install": False,
        }
    )
    async with http.get(
        f"{base}/slack/oauth_redirect?code=c0de&state={state}", headers={"Cookie": cookie}
    ) as response:
        assert response.status == 200
    async with db.transaction() as s:
        row = (await s.exec(select(ps.Installation))).one()
    assert (row.team_id, row.bot_token, row.installer_user_id) == ("T9", "xoxb-installed-9", "U9")

    body = urlencode(
        {
            "command": "/narrate",
            "text": "first day in Nine",
            "team_id": "T9",
            "user_id": "U9",
            "channel_id": "C9",
            "channel_name": "general",
            "response_url": fake.response_url(),
            "trigger_id": "t",
        }
    )
    async with http.post(
        f"{base}/slack/events",
        data=body,
        headers=signed_headers(body, "application/x-www-form-urlencoded"),
    ) as r:
        assert r.status == 200
    await until(lambda: fake.responses)
    assert {c.token for c in fake.called("users.info")} == {"xoxb-installed-9"}


async def test_install_callback_with_a_forged_state_stores_nothing(oauth_app, fake, db):
    _, http, base = oauth_app
    forged = await SignedStateStore("another-secret").async_issue()
    async with http.get(f"{base}/slack/oauth_redirect?code=c0de&state={forged}") as response:
        assert response.status in (400, 401, 403, 200)
    assert not fake.called("oauth.v2.access")
    async with db.transaction() as s:
        assert (await s.exec(select(ps.Installation))).first() is None


async def test_signed_state_expires_and_rejects_tampering():
    store = SignedStateStore("k", expiration_seconds=600)
    state = await store.async_issue()
    assert await store.async_consume(state)
    assert not await store.async_consume(state[:-1] + ("A" if state[-1] != "A" else "B"))
    assert not await SignedStateStore("k", expiration_seconds=-1).async_consume(state)


async def _install(
    db: Database,
    *,
    team: str,
    enterprise: str = "",
    org: bool = False,
    expires_in: timedelta | None = None,
) -> None:
    now = datetime.now(UTC)
    async with db.transaction() as s:
        tenant = await repo.ensure_tenant(
            s, platform="slack", external_id=team or enterprise, name="", now=now
        )
        await ps.save_installation(
            s,
            row=ps.Installation(
                tenant_id=tenant.id,
                platform="slack",
                enterprise_id=enterprise,
                team_id="" if org else team,
                is_enterprise_install=org,
                bot_token="xoxe.xoxb-old",
                bot_refresh_token="xoxe-1-r1" if expires_in else None,
                bot_token_expires_at=now + expires_in if expires_in else None,
                bot_user_id="UBOT",
                bot_id="BBOT",
                installed_at=now,
                updated_at=now,
            ),
        )


async def test_two_replicas_rotating_together_spend_the_refresh_token_once(db, fake):
    await _install(db, team="T1", expires_in=timedelta(minutes=1))
    fake.oauth_responses.append(
        {
            "token_type": "bot",
            "access_token": "xoxe.xoxb-new",
            "refresh_token": "xoxe-1-r2",
            "expires_in": 43200,
        }
    )
    other = Database(db.url)  # a second replica: its own engine and connections
    try:
        replicas = [
            RotatingAuthorize(
                d,
                client_id="111.222",
                client_secret="cs",
                client=AsyncWebClient(base_url=fake.base_url),
            )
            for d in (db, other)
        ]
        results = await asyncio.gather(
            *(a(context=None, enterprise_id=None, team_id="T1", user_id="U1") for a in replicas)
        )
    finally:
        await other.dispose()
    assert len(fake.called("oauth.v2.access")) == 1
    assert {r.bot_token for r in results} == {"xoxe.xoxb-new"}
    async with db.transaction() as s:
        row = (await s.exec(select(ps.Installation))).one()
    assert row.bot_refresh_token == "xoxe-1-r2"


async def test_an_org_wide_install_serves_every_workspace_of_the_grid(db, fake):
    await _install(db, team="", enterprise="E1", org=True)
    authorize = RotatingAuthorize(
        db, client_id=None, client_secret=None, client=AsyncWebClient(base_url=fake.base_url)
    )
    found = await authorize(context=None, enterprise_id="E1", team_id="T5", user_id="U1")
    assert found is not None and found.bot_token == "xoxe.xoxb-old" and found.team_id == "T5"
    assert await authorize(context=None, enterprise_id="E2", team_id="T5", user_id="U1") is None


async def test_tokens_revoked_deletes_the_installation(oauth_app, fake, db):
    await _install(db, team="T1")
    adapter, http, base = oauth_app
    body = (
        '{"type":"event_callback","team_id":"T1","api_app_id":"A1","event_id":"Ev-rev",'
        '"event":{"type":"tokens_revoked","tokens":{"bot":["UBOT"]}}}'
    )
    async with http.post(
        f"{base}/slack/events", data=body, headers=signed_headers(body, "application/json")
    ) as r:
        assert r.status == 200
    for _ in range(100):
        async with db.transaction() as s:
            if (await s.exec(select(ps.Installation))).first() is None:
                return
        await asyncio.sleep(0.05)
    raise AssertionError("installation still stored")


async def test_uninstall_in_a_multi_workspace_deployment_erases_that_workspace_only(
    oauth_app, fake, db
):
    await _install(db, team="T1")
    await _install(db, team="T2")
    adapter, http, base = oauth_app
    body = (
        '{"type":"event_callback","team_id":"T1","api_app_id":"A1","event_id":"Ev-un",'
        '"event":{"type":"app_uninstalled"}}'
    )
    async with http.post(
        f"{base}/slack/events", data=body, headers=signed_headers(body, "application/json")
    ) as r:
        assert r.status == 200
    for _ in range(100):
        async with db.transaction() as s:
            teams = sorted(i.team_id for i in (await s.exec(select(ps.Installation))).all())
        if teams == ["T2"]:
            break
        await asyncio.sleep(0.05)
    assert teams == ["T2"]
    from narrate_bot.storage.tables import Tenant

    async with db.transaction() as s:
        assert [t.external_id for t in (await s.exec(select(Tenant))).all()] == ["T2"]


async def _post(http, base: str, body: str, ctype: str, **headers: str) -> int:
    hdrs = signed_headers(body, ctype) | headers
    async with http.post(f"{base}/slack/events", data=body, headers=hdrs) as r:
        return r.status


def _command(fake, text: str, team: str = "T1") -> tuple[str, str]:
    fields = {
        "command": "/narrate",
        "text": text,
        "team_id": team,
        "user_id": "U1",
        "channel_id": "C1",
        "channel_name": "general",
        "response_url": fake.response_url(text[:8]),
        "trigger_id": "t",
    }
    return urlencode(fields), "application/x-www-form-urlencoded"


async def test_a_busy_database_doesnt_hold_up_the_ack_of_a_known_workspace(oauth_app, fake, db):
    """Authorization runs before the ack. While the installation row is locked (on SQLite the
    whole database: another workspace's token rotation holds it for the length of Slack's
    oauth.v2.access call), a workspace we just served is still answered at once."""
    await _install(db, team="T1")
    adapter, http, base = oauth_app
    assert await _post(http, base, *_command(fake, "help")) == 200
    await until(lambda: fake.responses)
    async with db.transaction() as busy:
        await ps.find_installation(
            busy, platform="slack", enterprise_id="", team_id="T1", for_update=True
        )
        # A hang guard only (SQLite gives up on the lock after 10 s, PostgreSQL never).
        status = await asyncio.wait_for(_post(http, base, *_command(fake, "still acked")), 8)
        assert status == 200
    await until(lambda: len(fake.responses) >= 2)  # and answered once the database is back
    assert "Noted as #1" in str(fake.responses[-1])


async def test_a_database_failure_while_authorizing_asks_slack_to_retry(
    oauth_app, fake, db, monkeypatch
):
    """Not the 400 + X-Slack-No-Retry meant for payloads Bolt can't handle: the event would be
    dropped for good. A 503 brings Slack's retry, which finds the database back."""
    await _install(db, team="T1")
    adapter, http, base = oauth_app
    real = ps.find_installation

    async def down(*_args, **_kwargs):
        raise ConnectionError("database restarting")

    monkeypatch.setattr(ps, "find_installation", down)
    event = {
        "type": "message",
        "channel_type": "im",
        "user": "U1",
        "channel": "D1",
        "text": "narrated during a failover",
        "ts": "1763800000.000100",
    }
    body = (event_body(event, "Ev-auth"), "application/json")
    assert await _post(http, base, *body) == 503
    monkeypatch.setattr(ps, "find_installation", real)
    assert await _post(http, base, *body, **{"X-Slack-Retry-Num": "1"}) == 200

    async def stored() -> bool:
        async with db.transaction() as s:
            return [n.text for n in (await s.exec(select(Narration))).all()] == [event["text"]]

    await eventually(stored)


async def test_a_revoked_token_is_not_used_again_even_though_it_was_remembered(oauth_app, fake, db):
    await _install(db, team="T1")
    adapter, http, base = oauth_app
    assert await _post(http, base, *_command(fake, "help")) == 200
    await until(lambda: fake.responses)
    revoked = (
        '{"type":"event_callback","team_id":"T1","api_app_id":"A1","event_id":"Ev-rv",'
        '"event":{"type":"tokens_revoked","tokens":{"bot":["UBOT"]}}}'
    )
    assert await _post(http, base, revoked, "application/json") == 200

    async def gone() -> bool:
        async with db.transaction() as s:
            return (await s.exec(select(ps.Installation))).first() is None

    await eventually(gone)
    calls = len(fake.calls)
    await _post(http, base, *_command(fake, "after the revocation"))
    await asyncio.sleep(0.3)  # anything wrongly dispatched would be calling Slack by now
    assert [c for c in fake.calls[calls:] if c.token == "xoxe.xoxb-old"] == []
    async with db.transaction() as s:
        assert (await s.exec(select(Narration))).first() is None
