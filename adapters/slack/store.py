"""Slack installations in our own database, OAuth state without a table, and token rotation that
is safe with several replicas.

slack_sdk's stores keep tokens in their own tables and rotate with no cross-process lock: two
replicas refreshing together spend the same single-use refresh token and the loser bricks the
install. Here rotation happens inside a transaction holding the installation row
(``SELECT … FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), re-read after the lock.

Authorization runs before the ack, so a workspace's token is then remembered for a few minutes
(never into its rotation window): the ack doesn't wait for the database, which may be busy
(on SQLite, another workspace's rotation holds the only write lock for the length of Slack's
``oauth.v2.access`` call) or down.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store import Installation as SlackInstallation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from narrate_bot.events import Platform
from narrate_bot.storage import platform_store as ps
from narrate_bot.storage import repositories as repo
from narrate_bot.storage.database import Database, Session

log = logging.getLogger(__name__)
PLATFORM = Platform.SLACK.value
# How long a workspace's token is used without asking the database again. A token revoked or
# replaced through another replica is used at most this long (its calls then fail and are told).
REMEMBER_SECONDS = 300.0
# Set on the Bolt context when authorization itself failed (the database), so the front door
# answers 503 and Slack retries, instead of the 400 meant for payloads Bolt can't handle.
AUTHORIZE_FAILED = "narrate_authorize_failed"
Changed = Callable[[str | None, str | None], None]


def tenant_key(enterprise_id: str | None, team_id: str | None) -> str:
    """Our tenant id for a Slack workspace: its team id (globally unique), else the Grid org id."""
    return team_id or enterprise_id or ""


def _dt(epoch: int | float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(float(epoch), UTC)


def _epoch(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


class DatabaseInstallationStore(AsyncInstallationStore):
    """Bolt's installation store on the ``installation`` table (bot tokens only; no user tokens)."""

    def __init__(self, db: Database, *, changed: Changed | None = None) -> None:
        self.db = db
        self.changed = changed  # told (enterprise, team) when an install is saved or deleted

    @property
    def logger(self) -> logging.Logger:
        return log

    def _changed(self, enterprise_id: str | None, team_id: str | None) -> None:
        if self.changed is not None:
            self.changed(enterprise_id, team_id)

    async def async_save(self, installation: SlackInstallation) -> None:
        await self._save(installation.to_bot(), installer=installation.user_id)

    async def async_save_bot(self, bot: Bot) -> None:
        await self._save(bot, installer="")

    async def _save(self, bot: Bot, *, installer: str) -> None:
        now = datetime.now(UTC)
        async with self.db.transaction() as session:
            tenant = await repo.ensure_tenant(
                session,
                platform=PLATFORM,
                external_id=tenant_key(bot.enterprise_id, bot.team_id),
                name=bot.team_name or bot.enterprise_name or "",
                now=now,
            )
            assert tenant.id is not None
            await ps.save_installation(
                session,
                row=ps.Installation(
                    tenant_id=tenant.id,
                    platform=PLATFORM,
                    enterprise_id=bot.enterprise_id or "",
                    team_id="" if bot.is_enterprise_install else bot.team_id or "",
                    is_enterprise_install=bool(bot.is_enterprise_install),
                    app_id=bot.app_id or "",
                    bot_id=bot.bot_id,
                    bot_user_id=bot.bot_user_id,
                    bot_scopes=",".join(bot.bot_scopes),
                    bot_token=bot.bot_token,
                    bot_refresh_token=bot.bot_refresh_token,
                    bot_token_expires_at=_dt(bot.bot_token_expires_at),
                    installer_user_id=installer or "",
                    team_name=bot.team_name or "",
                    enterprise_name=bot.enterprise_name or "",
                    installed_at=now,
                    updated_at=now,
                ),
            )
        self._changed(bot.enterprise_id, bot.team_id)
        log.info("slack install saved for %s", tenant_key(bot.enterprise_id, bot.team_id))

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        row = await self._row(enterprise_id, team_id, is_enterprise_install)
        return None if row is None else to_bot(row)

    async def _row(
        self, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None
    ) -> ps.Installation | None:
        async with self.db.snapshot() as session:  # a read: it never waits for a writer
            return await ps.find_installation(
                session,
                platform=PLATFORM,
                enterprise_id=enterprise_id or "",
                team_id="" if is_enterprise_install else team_id or "",
            )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> SlackInstallation | None:
        if user_id is not None:
            return None  # we keep no user tokens
        row = await self._row(enterprise_id, team_id, is_enterprise_install)
        if row is None:
            return None
        bot = to_bot(row)
        return SlackInstallation(
            app_id=bot.app_id,
            enterprise_id=bot.enterprise_id,
            enterprise_name=bot.enterprise_name,
            team_id=bot.team_id,
            team_name=bot.team_name,
            bot_token=bot.bot_token,
            bot_id=bot.bot_id,
            bot_user_id=bot.bot_user_id,
            bot_scopes=bot.bot_scopes,
            bot_refresh_token=bot.bot_refresh_token,
            bot_token_expires_at=bot.bot_token_expires_at,
            user_id=row.installer_user_id,
            is_enterprise_install=bot.is_enterprise_install,
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        async with self.db.transaction() as session:
            await ps.delete_installations(
                session, platform=PLATFORM, enterprise_id=enterprise_id or "", team_id=team_id or ""
            )
        self._changed(enterprise_id, team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        if user_id is None:
            await self.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)


def to_bot(row: ps.Installation) -> Bot:
    return Bot(
        app_id=row.app_id or None,
        enterprise_id=row.enterprise_id or None,
        enterprise_name=row.enterprise_name or None,
        team_id=row.team_id or None,
        team_name=row.team_name or None,
        bot_token=row.bot_token,
        bot_id=row.bot_id,
        bot_user_id=row.bot_user_id,
        bot_scopes=row.bot_scopes,
        bot_refresh_token=row.bot_refresh_token,
        bot_token_expires_at=_epoch(row.bot_token_expires_at),
        is_enterprise_install=row.is_enterprise_install,
        installed_at=row.installed_at.timestamp(),
    )


async def _installation(
    session: Session,
    enterprise_id: str | None,
    team_id: str | None,
    *,
    for_update: bool = False,
) -> ps.Installation | None:
    """The workspace's install row as Bolt's authorize names it (no Grid flag: the team first)."""
    return await ps.find_installation(
        session,
        platform=PLATFORM,
        enterprise_id=enterprise_id or "",
        team_id=team_id or "",
        for_update=for_update,
    )


@dataclass
class _Known:
    bot: Bot
    until: float  # monotonic


class RotatingAuthorize(AsyncAuthorize):
    """Find the workspace's bot token; rotate it first if it is about to expire, under a row lock.

    The refresh happens while the row is locked, and the row is read again after the lock is
    taken: a replica that waited finds the fresh token and spends nothing. The token found is
    remembered for ``remember_seconds``, or until it enters its rotation window if sooner.
    """

    def __init__(
        self,
        db: Database,
        *,
        client_id: str | None,
        client_secret: str | None,
        client: AsyncWebClient,
        rotate_minutes_before: int = 120,
        remember_seconds: float = REMEMBER_SECONDS,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.db = db
        self.client_id, self.client_secret = client_id, client_secret
        self.client = client
        self.token_rotation_expiration_minutes = rotate_minutes_before
        self.remember_seconds = remember_seconds
        self._known: dict[tuple[str, str], _Known] = {}

    def forget(self, enterprise_id: str | None, team_id: str | None) -> None:
        """An install was saved or deleted here: its next request reads the database."""
        for key in list(self._known):
            if (team_id and key[1] == team_id) or (not team_id and key[0] == enterprise_id):
                del self._known[key]

    async def __call__(
        self,
        *,
        context: AsyncBoltContext | None,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **_actor: Any,
    ) -> AuthorizeResult | None:
        key = (enterprise_id or "", team_id or "")
        known = self._known.get(key)
        if known is not None and time.monotonic() < known.until:
            return self._result(known.bot, enterprise_id, team_id, user_id)
        try:
            bot = await self._read(enterprise_id, team_id)
        except Exception:
            if context is not None:
                context[AUTHORIZE_FAILED] = True
            raise
        if bot is None:
            return None
        self._known[key] = _Known(bot, self._until(bot))
        return self._result(bot, enterprise_id, team_id, user_id)

    async def _read(self, enterprise_id: str | None, team_id: str | None) -> Bot | None:
        """The token, read in a snapshot; the row lock only when it must be rotated.

        Every request that finds no remembered token reads here before its ack. In a
        transaction, on SQLite that read began ``BEGIN IMMEDIATE`` and waited behind any writer
        (a forget-me's scrub, the weekly introductions, another replica), and past the busy
        timeout the request failed; a token that needs no rotation needs no lock."""
        async with self.db.snapshot() as session:
            row = await _installation(session, enterprise_id, team_id)
        if row is None or not self._expiring(row):
            return None if row is None else to_bot(row)
        async with self.db.transaction() as session:
            row = await _installation(session, enterprise_id, team_id, for_update=True)
            if row is None:
                return None
            if self._expiring(row):  # again under the lock: another replica may have rotated it
                await self._rotate(row)
                session.add(row)
            return to_bot(row)

    def _until(self, bot: Bot) -> float:
        """When to read the database again: soon, and before the token needs rotating."""
        now = time.monotonic()
        until = now + self.remember_seconds
        if bot.bot_token_expires_at is not None and bot.bot_refresh_token and self.client_id:
            margin = self.token_rotation_expiration_minutes * 60
            until = min(until, now + bot.bot_token_expires_at - time.time() - margin)
        return until

    @staticmethod
    def _result(
        bot: Bot, enterprise_id: str | None, team_id: str | None, user_id: str | None
    ) -> AuthorizeResult:
        return AuthorizeResult(
            enterprise_id=enterprise_id or bot.enterprise_id,
            team_id=team_id or bot.team_id,
            team=bot.team_name,
            bot_user_id=bot.bot_user_id,
            bot_id=bot.bot_id,
            bot_token=bot.bot_token,
            bot_scopes=bot.bot_scopes,
            user_id=user_id,
        )

    def _expiring(self, row: ps.Installation) -> bool:
        expires = row.bot_token_expires_at
        if expires is None or row.bot_refresh_token is None or not self.client_id:
            return False
        margin = timedelta(minutes=self.token_rotation_expiration_minutes)
        return expires.astimezone(UTC) <= datetime.now(UTC) + margin

    async def _rotate(self, row: ps.Installation) -> None:
        response = await self.client.oauth_v2_access(
            client_id=self.client_id or "",
            client_secret=self.client_secret or "",
            grant_type="refresh_token",
            refresh_token=row.bot_refresh_token or "",
        )
        row.bot_token = str(response["access_token"])
        row.bot_refresh_token = response.get("refresh_token") or row.bot_refresh_token
        row.bot_token_expires_at = datetime.now(UTC) + timedelta(
            seconds=int(response.get("expires_in") or 43200)
        )
        row.updated_at = datetime.now(UTC)
        log.info("slack bot token rotated for %s", tenant_key(row.enterprise_id, row.team_id))


class SignedStateStore(AsyncOAuthStateStore):
    """OAuth ``state`` values signed with the state secret and valid for ``expiration_seconds``.

    Stateless, so any replica can finish an install another one started; Bolt also binds the state
    to the installer's browser with a cookie, which stops a stolen link being replayed elsewhere.
    """

    def __init__(self, secret: str, *, expiration_seconds: int = 600) -> None:
        self._key = secret.encode()
        self.expiration_seconds = expiration_seconds

    @property
    def logger(self) -> logging.Logger:
        return log

    def _sign(self, payload: str) -> str:
        digest = hmac.new(self._key, payload.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:  # noqa: ARG002
        payload = f"{int(time.time())}.{secrets.token_urlsafe(12)}"
        return f"{payload}.{self._sign(payload)}"

    async def async_consume(self, state: str) -> bool:
        payload, _, signature = state.rpartition(".")
        issued, _, _nonce = payload.partition(".")
        if not hmac.compare_digest(self._sign(payload), signature) or not issued.isdigit():
            return False
        return time.time() - int(issued) <= self.expiration_seconds
