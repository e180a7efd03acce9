"""Settings from ``NARRATE_*`` environment variables (and a ``.env`` file).

Platform sections carry secrets as ``SecretStr`` so they never print; the core reads only the
platform-neutral fields.
"""

from __future__ import annotations

from pydantic import BaseModel, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///narrate.db"


class SlackSettings(BaseModel):
    bot_token: SecretStr | None = None
    app_token: SecretStr | None = None
    signing_secret: SecretStr | None = None

    @property
    def configured(self) -> bool:
        return self.bot_token is not None or self.signing_secret is not None


class DiscordSettings(BaseModel):
    token: SecretStr | None = None
    dev_guild_id: int | None = None
    # Where the REST API and gateway live; only tests (a local fake) and proxies change these.
    api_base_url: str | None = None
    gateway_url: str | None = None
    # The privileged Message Content intent, for recording plain replies in prompt threads.
    # Off by default: buttons and modals work without it. Turn it on in the Developer Portal too.
    message_content: bool = False
    # Pace of the bot's own posts (prompts to many channels) and of opening DMs, in seconds.
    post_interval_seconds: float = 0.5
    dm_interval_seconds: float = 1.0
    # Proactive posts stop once this many 401/403/429 answers arrived within ten minutes
    # (Discord bans an IP at 10,000).
    invalid_request_budget: int = 1000

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
    max_narration_chars: int = 4000
    export_dir: str = "narrate-exports"
    log_level: str = "INFO"
    # Scheduling (README "Schedules"): a missed prompt is still sent this long after its time,
    # never later; the tick runs this often; a claimed send is another process's after the lease.
    schedule_grace_minutes: int = 120
    schedule_tick_seconds: int = 30
    schedule_lease_seconds: int = 120
    slack: SlackSettings = SlackSettings()
    discord: DiscordSettings = DiscordSettings()
