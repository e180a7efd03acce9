"""Discord interactions, messages and channel changes as core events.

Only translation happens here: which words mean what is the core's business (``routing``). A
guild is a tenant; a public thread counts as its parent channel (same readers); a channel the
bot can't see in its cache is treated as private until described, which can hide a narration
but never show it to the wrong people.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import discord

from narrate_bot.events import (
    ChannelDeleted,
    ChannelDescribed,
    ChannelKind,
    ChannelRef,
    CommandInvoked,
    FormSubmitted,
    MembershipChanged,
    MessageReceived,
    Platform,
    PostDeleted,
    ProfileChanged,
    TenantRef,
    UserRef,
)

from .render import CUSTOM_ID
from .visibility import location

_NICK_MENTION = re.compile(r"<@!(\d+)>")
# Mentions written in a message's text (discord.py's raw_mentions also wants 15-20 digits).
_USER_MENTIONS = re.compile(r"<@!?(\d+)>")
_ROLE_MENTIONS = re.compile(r"<@&(\d+)>")
_TEXT_INPUT = 4
_LABEL = 18


def tenant(guild: discord.Guild) -> TenantRef:
    return TenantRef(platform=Platform.DISCORD, tenant_id=str(guild.id), name=guild.name)


def user(who: discord.Member | discord.User) -> UserRef:
    admin = False
    if isinstance(who, discord.Member):
        perms = who.guild_permissions
        admin = perms.administrator or perms.manage_guild
    return UserRef(user_id=str(who.id), display_name=who.display_name, is_admin=admin)


def usable(guild: discord.Guild | None) -> bool:
    """A guild the cache holds with its roles, so its channels' readers can be told.

    discord.py never gives an interaction no guild: for one it doesn't hold (the bot was
    removed, or the guild isn't available yet after an outage or a restart) it makes a
    placeholder with a name, no roles and no channels."""
    return guild is not None and not guild.unavailable and guild.get_role(guild.id) is not None


def where(channel: Any) -> ChannelRef:
    """The narration location of an interaction's or message's channel."""
    if isinstance(channel, discord.abc.GuildChannel | discord.Thread):
        if usable(channel.guild):
            return location(channel)
        # Its readers can't be told without the guild's roles: private hides, never shows.
        name = str(getattr(channel, "name", "") or "")
        return ChannelRef(channel_id=str(channel.id), name=name, kind=ChannelKind.PRIVATE)
    if isinstance(channel, discord.DMChannel):
        return ChannelRef(channel_id=str(channel.id), name="dm", kind=ChannelKind.DIRECT)
    channel_id = str(getattr(channel, "id", "unknown"))
    return ChannelRef(channel_id=channel_id, name="", kind=ChannelKind.PRIVATE)


def _common(interaction: discord.Interaction[Any], guild: discord.Guild) -> dict[str, Any]:
    return {
        "event_id": str(interaction.id),
        "tenant": tenant(guild),
        "user": user(interaction.user),
        "channel": where(interaction.channel),
        "occurred_at": interaction.created_at,
    }


def command_event(
    interaction: discord.Interaction[Any], guild: discord.Guild, *, command: str, text: str
) -> CommandInvoked:
    return CommandInvoked(command=command, text=text.strip(), **_common(interaction, guild))


@dataclass(frozen=True)
class Component:
    """What one of our buttons or modals carries in its custom_id."""

    form: bool
    guild_id: int | None
    payload: str
    kept: bool = False  # ``payload`` is a key to a command kept in memory (kept.py)


def component(custom_id: str) -> Component | None:
    match = CUSTOM_ID.match(custom_id)
    if match is None:
        return None
    guild = match.group("guild")
    return Component(
        form=match.group("kind") == "form",
        guild_id=int(guild) if guild else None,
        payload=match.group("payload"),
        kept=match.group("kind") == "kept",
    )


def custom_id_of(interaction: discord.Interaction[Any]) -> str:
    data: Mapping[str, Any] = interaction.data or {}
    return str(data.get("custom_id", ""))


def button_command(payload: str) -> tuple[str, str] | None:
    """``/narrate share 3`` → ``("narrate", "share 3")``."""
    name, _, rest = payload.strip().lstrip("/").partition(" ")
    return (name, rest.strip()) if name else None


def button_event(
    interaction: discord.Interaction[Any], guild: discord.Guild, payload: str
) -> CommandInvoked | None:
    parsed = button_command(payload)
    if parsed is None:
        return None
    return command_event(interaction, guild, command=parsed[0], text=parsed[1])


def _inputs(components: list[Mapping[str, Any]]) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in components:
        kind = item.get("type")
        if kind == _TEXT_INPUT:
            values[str(item.get("custom_id"))] = str(item.get("value") or "")
        elif kind == _LABEL and isinstance(item.get("component"), Mapping):
            values.update(_inputs([item["component"]]))
        else:
            values.update(_inputs(list(item.get("components") or [])))
    return values


def submitted(interaction: discord.Interaction[Any]) -> dict[str, str]:
    """What was typed into a modal, by input id (empty for anything else)."""
    data: Mapping[str, Any] = interaction.data or {}
    return _inputs(list(data.get("components") or []))


def form_event(
    interaction: discord.Interaction[Any], guild: discord.Guild, form: str
) -> FormSubmitted:
    return FormSubmitted(form=form, fields=submitted(interaction), **_common(interaction, guild))


def mentions_bot(message: discord.Message, bot_user: discord.abc.User) -> bool:
    """Mentioned by name, or by the role Discord gives the bot (autocomplete offers both), in
    the words themselves. Not ``message.mentions``: it also lists the author of the message a
    Discord Reply answers when the reply pings them (the default), and a reply to the bot's
    prompt in its thread is an update to keep, not a question to the bot."""
    if str(bot_user.id) in _USER_MENTIONS.findall(message.content):
        return True
    own = message.guild.self_role if message.guild is not None else None
    return own is not None and str(own.id) in _ROLE_MENTIONS.findall(message.content)


def _plain_mentions(message: discord.Message, bot_user: discord.abc.User) -> str:
    """``<@!id>`` and the bot's role mention as ``<@id>``, the form the core strips."""
    text = _NICK_MENTION.sub(r"<@\1>", message.content)
    own = message.guild.self_role if message.guild is not None else None
    if own is not None:
        text = text.replace(f"<@&{own.id}>", f"<@{bot_user.id}>")
    return text


def message_event(
    message: discord.Message, *, bot_user: discord.abc.User, message_content: bool
) -> MessageReceived | None:
    """A mention of the bot (content arrives without the privileged intent), or, when the owner
    enabled Message Content, a reply in a thread (a prompt's thread is matched by the core)."""
    if message.guild is None or message.author.bot or message.webhook_id is not None:
        return None
    addressed = mentions_bot(message, bot_user)
    in_thread = isinstance(message.channel, discord.Thread)
    if not addressed and not (message_content and in_thread):
        return None
    text = _plain_mentions(message, bot_user)
    if not text.strip():
        return None
    return MessageReceived(
        event_id=str(message.id),
        tenant=tenant(message.guild),
        user=user(message.author),
        channel=where(message.channel),
        occurred_at=message.created_at,
        link=message.jump_url,
        text=text,
        addressed_to_bot=addressed,
        thread_id=str(message.channel.id) if in_thread else None,
    )


def channel_described(
    channel: discord.abc.GuildChannel, *, now: datetime, bot_in: bool | None = None
) -> ChannelDescribed:
    """The channel's kind now; members are sent one by one (the member cache is partial).
    ``bot_in``: the bot can see and post in it again (Slack's ``member_joined_channel`` for the
    bot), so the core tries at once what the platform refused there meanwhile; ``False``, it
    lost either (Slack's ``channel_left``), which the core keeps as ``bot_left``; ``None``,
    unchanged. Its readers stand either way (``DiscordGateway.readers_kept_while_out``)."""
    return ChannelDescribed(
        tenant=tenant(channel.guild), channel=location(channel), occurred_at=now, bot_in=bot_in
    )


def bot_reaches(channel: discord.abc.GuildChannel) -> bool:
    """Whether the bot may see and post in ``channel`` (its roles and the channel's permission
    overwrites, from the cache: no privileged intent)."""
    me = channel.guild.me
    if me is None:
        return False
    allowed = channel.permissions_for(me)
    return allowed.view_channel and allowed.send_messages


def channel_deleted(channel: discord.abc.GuildChannel, *, now: datetime) -> ChannelDeleted:
    """The channel and every post in it are gone: the core hides what was narrated there."""
    return ChannelDeleted(tenant=tenant(channel.guild), channel_id=str(channel.id), occurred_at=now)


def post_deleted(
    guild: discord.Guild, channel_id: int, message_id: int, *, now: datetime
) -> PostDeleted:
    """``MESSAGE_DELETE`` (ids only: it carries no content, and needs no privileged intent)."""
    return PostDeleted(
        tenant=tenant(guild),
        channel_id=str(channel_id),
        message_id=str(message_id),
        occurred_at=now,
    )


def departed(guild: discord.Guild, user_id: str, *, now: datetime) -> ProfileChanged:
    """Discord says this person is no longer a member of the server (or the account is gone)."""
    return ProfileChanged(
        tenant=tenant(guild),
        user=UserRef(user_id=user_id, display_name=""),
        departed=True,
        occurred_at=now,
    )


def membership(
    guild: discord.Guild,
    channel: ChannelRef,
    user_id: str,
    *,
    joined: bool,
    now: datetime,
    by_actor: bool = False,
) -> MembershipChanged:
    """``by_actor``: the person is using the bot now (their access re-checked before their
    answer); otherwise a gateway event, or a re-check the bot started, told it."""
    return MembershipChanged(
        tenant=tenant(guild),
        channel=channel,
        user_id=user_id,
        joined=joined,
        occurred_at=now,
        by_actor=by_actor,
    )
