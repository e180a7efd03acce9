"""Settings from ``NARRATE_*`` environment variables (and a ``.env`` file).

Platform sections carry secrets as ``SecretStr`` so they never print; the core reads only the
platform-neutral fields.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///narrate.db"

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class SlackSettings(BaseModel):
    bot_token: SecretStr | None = None
    app_token: SecretStr | None = None
    signing_secret: SecretStr | None = None
    # OAuth v2 install flow (HTTP mode, several workspaces): used when no bot_token is set.
    client_id: str | None = None
    client_secret: SecretStr | None = None
    state_secret: SecretStr | None = None
    # The Web API base; point it at https://slack-gov.com/api/ for Slack's government cloud.
    api_url: str = "https://slack.com/api/"
    authorize_url: str = "https://slack.com/oauth/v2/authorize"
    # Socket Mode (app_token, no public URL) when on; otherwise an HTTP server on ``port``.
    socket_mode: bool | None = None
    host: str = "0.0.0.0"
    # 0 lets the system pick a free port (tests); the log says which.
    port: int = Field(3000, ge=0, le=65535)
    # Outbound pace per workspace; Slack allows "several hundred messages per minute".
    workspace_rate_per_minute: float = Field(300.0, ge=1, le=60_000)
    # Payloads handled at once after their ack (the rest wait their turn in memory).
    concurrency: int = Field(8, ge=1, le=1000)

    @property
    def configured(self) -> bool:
        """Any Slack variable set: then ``run`` starts Slack, and its startup check says what
        is missing, instead of "no platform is configured"."""
        return any(
            value is not None
            for value in (
                self.bot_token,
                self.app_token,
                self.signing_secret,
                self.client_id,
                self.client_secret,
                self.state_secret,
            )
        )

    @property
    def uses_socket_mode(self) -> bool:
        return self.socket_mode if self.socket_mode is not None else self.app_token is not None


class DiscordSettings(BaseModel):
    token: SecretStr | None = None
    dev_guild_id: int | None = Field(None, ge=1, le=2**64 - 1)  # a snowflake
    # Where the REST API and gateway live; only tests (a local fake) and proxies change these.
    api_base_url: str | None = None
    gateway_url: str | None = None
    # The privileged Message Content intent, for recording plain replies in prompt threads.
    # Off by default: buttons and modals work without it. Turn it on in the Developer Portal too.
    message_content: bool = False
    # Pace of the bot's own posts (prompts to many channels) and of opening DMs, in seconds.
    post_interval_seconds: float = Field(0.5, ge=0, le=60)
    dm_interval_seconds: float = Field(1.0, ge=0, le=60)
    # Proactive posts stop once this many 401/403/429 answers arrived within ten minutes
    # (Discord bans an IP at 10,000).
    invalid_request_budget: int = Field(1000, ge=1, le=9_999)

    @property
    def configured(self) -> bool:
        return self.token is not None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NARRATE_",
        env_nested_delimiter="__",
        env_file=".env",
        env_ignore_empty=True,
        extra="ignore",
    )

    database_url: str = DEFAULT_DATABASE_URL
    # Every number has bounds: a negative tick locked ``run`` up, a negative grace skipped every
    # prompt and 0 characters refused every narration, all without a word at startup.
    max_narration_chars: int = Field(4000, ge=1, le=100_000)
    export_dir: str = "narrate-exports"
    # Unset, each command picks its own level. Any case: ``debug`` works too.
    log_level: LogLevel | None = None
    # Scheduling (README "Schedules"): a missed prompt is still sent this long after its time,
    # never later; the tick runs this often; a claimed send is another process's after the lease.
    # The longest tick (5 min) stays under the shortest grace (10 min), so no prompt falls
    # between two ticks; a lease must outlast one post, rate-limit waits included.
    schedule_grace_minutes: int = Field(120, ge=10, le=10_080)
    schedule_tick_seconds: int = Field(30, ge=1, le=300)
    schedule_lease_seconds: int = Field(120, ge=30, le=3600)
    # An open question nobody closed: its asker is asked once whether it is still open this
    # many days after asking, and once more this many days after saying it still is.
    question_nudge_days: int = Field(14, ge=1, le=365)
    # Keys the marks a forget-me leaves (HMAC), so the database alone can't tell who asked to
    # be forgotten. Required on PostgreSQL, the same on every replica; unset on SQLite, a key
    # file beside the database is made once (``storage.erasure_key``).
    erasure_key: SecretStr | None = None
    slack: SlackSettings = SlackSettings()
    discord: DiscordSettings = DiscordSettings()

    @field_validator("log_level", mode="before")
    @classmethod
    def _any_case(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if value.strip().upper() not in get_args(LogLevel):
            raise ValueError("should be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return value.strip().upper()
