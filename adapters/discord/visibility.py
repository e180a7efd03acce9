"""Who can read a Discord channel, computed from its permission overwrites.

A channel is public only if @everyone may view it and no overwrite on it takes View Channel
from a role or a person: "everyone but guests" is not everyone, and its narrations must not
reach the guests. Any other channel is private; its readers are the members whose roles and
overwrites let them view it (``permissions_for``). Without the privileged members intent the
member cache holds only people seen recently (interaction authors, message authors, the owner),
so the member list is never complete: the adapter records readers as they show up and
re-checks each person's own view of the guild's private channels whenever they interact
(``private_channel_access``), which is the moment an answer could reach them, and before the
weekly introductions, which reach them unasked (access.py).
"""

from __future__ import annotations

from collections.abc import Iterable

import discord

from narrate_bot.events import ChannelKind, ChannelRef

Located = discord.abc.GuildChannel | discord.Thread


def channel_kind(channel: Located) -> ChannelKind:
    """Public only when every human in the server can read it, so anyone may be shown it."""
    if isinstance(channel, discord.Thread):
        if channel.type == discord.ChannelType.private_thread:
            return ChannelKind.PRIVATE
        parent = channel.parent
        return channel_kind(parent) if parent is not None else ChannelKind.PRIVATE
    everyone = channel.guild.default_role
    if not channel.permissions_for(everyone).view_channel:
        return ChannelKind.PRIVATE
    if any(_hides(target, overwrite) for target, overwrite in channel.overwrites.items()):
        return ChannelKind.PRIVATE
    return ChannelKind.PUBLIC


def _hides(target: object, overwrite: discord.PermissionOverwrite) -> bool:
    """Does this overwrite take View Channel from someone who could be a person?

    The channel's own overwrites are what Discord applies (a channel synced to its category
    carries copies of the category's, and is updated when they change), so only they are read.
    A role Discord manages for one bot, or a bot's own overwrite, hides nothing from people;
    any other target counts, also one the cache can't name (a ``discord.Object``): unknown is
    treated as someone.
    """
    if overwrite.view_channel is not False:
        return False
    if isinstance(target, discord.Role):
        return not target.is_default() and not target.is_bot_managed()
    if isinstance(target, discord.Member | discord.User):
        return not target.bot
    return True


def location(channel: Located) -> ChannelRef:
    """Where a narration written in ``channel`` lives for visibility purposes.

    A public thread shares its parent's readers, so it is the parent; a private thread has its
    own (invited) readers, so it is a private channel of its own.
    """
    if (
        isinstance(channel, discord.Thread)
        and channel.type != discord.ChannelType.private_thread
        and channel.parent is not None
    ):
        return location(channel.parent)
    name = "" if obfuscated(channel) else channel.name  # "": the stored name stands
    return ChannelRef(channel_id=str(channel.id), name=name, kind=channel_kind(channel))


# Discord's ``CHANNEL_OBFUSCATED`` channel flag (discord-api-docs PR #8454), which discord.py
# 2.7 doesn't name (nor keep, on a text channel: then the name it is given tells).
OBFUSCATED = 1 << 17
HIDDEN_NAME = "___hidden___"


def obfuscated(channel: Located) -> bool:
    """Whether Discord sent ``channel`` obfuscated, as it sends a channel the bot may not view
    (for bots from November 16, 2026): its name is ``___hidden___`` and its overwrites are one
    denying View Channel to ``@everyone``; only ``id``, ``type`` and ``position`` are real. So
    the bot can't reach it (``permissions_for`` reads that overwrite), and its name isn't its
    name."""
    flags = getattr(channel, "flags", None)
    if flags is not None and flags.value & OBFUSCATED:
        return True
    if channel.name != HIDDEN_NAME:
        return False
    # Without the flag (discord.py keeps none on a text channel), a channel the bot may view
    # is one really named so: only one it can't view was sent obfuscated.
    me = channel.guild.me
    return me is None or not channel.permissions_for(me).view_channel


def describable(guild: discord.Guild) -> list[discord.abc.GuildChannel]:
    """Channels people can write in (categories only carry overwrites for their children)."""
    return [c for c in guild.channels if not isinstance(c, discord.CategoryChannel)]


def can_view(channel: Located, member: discord.Member) -> bool:
    return channel.permissions_for(member).view_channel


def cached_readers(channel: Located) -> dict[str, bool]:
    """For each cached human member: may they view ``channel``? (Partial without members intent.)"""
    return {str(m.id): can_view(channel, m) for m in channel.guild.members if not m.bot}


def private_channel_access(
    member: discord.Member, channels: Iterable[discord.abc.GuildChannel]
) -> dict[str, bool]:
    """The person's current view of every private channel: what an answer to them may draw on."""
    return {
        str(c.id): can_view(c, member) for c in channels if channel_kind(c) == ChannelKind.PRIVATE
    }
