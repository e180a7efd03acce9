"""Inbound events: what happened on a platform, normalized so every adapter speaks the same words.

The set is small and closed. Adapters build these values and never parse intent: wording rules
("who knows about X?") live in ``routing`` so they behave the same on every platform.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Platform(StrEnum):
    SLACK = "slack"
    DISCORD = "discord"
    CONSOLE = "console"


class ChannelKind(StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"
    DIRECT = "direct"


class Audience(StrEnum):
    """Who may read a narration, beyond its author.

    ``CHANNEL`` inherits the channel's readers (a DM has none); ``TENANT`` is the author's explicit
    choice to publish to everyone in the workspace; ``ONLY_ME`` keeps it as a private log.
    """

    CHANNEL = "channel"
    TENANT = "tenant"
    ONLY_ME = "only_me"


class Source(StrEnum):
    COMMAND = "command"
    PROMPT_REPLY = "prompt_reply"
    DM = "dm"
    SHORTCUT = "shortcut"
    FORM = "form"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TenantRef(_Frozen):
    """A Slack workspace (or Grid org), a Discord guild, or the console's single local tenant."""

    platform: Platform
    tenant_id: str
    name: str = ""


class UserRef(_Frozen):
    user_id: str
    display_name: str
    # The platform says this person administers the workspace/guild (for admin-only settings).
    is_admin: bool = False
    # A guest account, or someone from another organisation in a shared channel: they can't
    # read the workspace's public channels, so nothing narrated there may be shown to them.
    guest: bool = False


class ChannelRef(_Frozen):
    channel_id: str
    name: str
    kind: ChannelKind = ChannelKind.PUBLIC
    # Read by people outside the workspace too (a Slack Connect channel): what the bot posts
    # there for everyone may only hold what was written in that channel. ``None``: the platform
    # didn't say this time, and what is stored stays as it is.
    shared: bool | None = None


class _ActorEvent(_Frozen):
    event_id: str
    tenant: TenantRef
    user: UserRef
    channel: ChannelRef
    occurred_at: datetime
    # Where the message can be opened again (a Slack permalink, a Discord jump URL), if known.
    link: str | None = None


class CommandInvoked(_ActorEvent):
    """A slash command (``/narrate …``) or a button that stands for one.

    ``command`` is ``narrate``, with ``text`` in ``/narrate``'s free-text grammar; or
    ``narrate <sub-command>`` (``narrate team``) when the platform's interface let the person
    pick the sub-command itself, with ``text`` only its argument: that is never guessed into a
    narration (``routing.parse_named``). ``audience`` is set when the platform let the person
    choose it (a modal, a shortcut).
    """

    command: str
    text: str = ""
    source: Source = Source.COMMAND
    audience: Audience | None = None


class MessageReceived(_ActorEvent):
    """A chat message the bot may act on: a DM, a mention, or a reply in a prompt's thread."""

    text: str
    addressed_to_bot: bool = False
    thread_id: str | None = None


class FormSubmitted(_ActorEvent):
    """The person filled a form the bot asked for (a modal, or the console's next line)."""

    form: str
    fields: dict[str, str] = Field(default_factory=dict)


class ChannelDescribed(_Frozen):
    """What the platform says a channel is now: its kind and, when known, its full member list.

    Visibility is checked against the latest description, so a channel turned private, or a person
    removed from it, stops showing its narrations at once.
    """

    tenant: TenantRef
    channel: ChannelRef
    members: tuple[str, ...] | None = None
    occurred_at: datetime
    # Set when the platform said so this time (``None``: unchanged): archived or unarchived, and
    # the bot itself removed from the channel or added to it.
    archived: bool | None = None
    bot_in: bool | None = None


class MembershipChanged(_Frozen):
    """Someone joined or left a channel, one person at a time.

    ``by_actor``: learned because that very person is using the bot now (their own command,
    click or mention re-checked their access before the answer): they are back after a
    forget-me, as their command is, and the join is stored. ``False``, the default and the safe
    one: an event about them (someone added them, they joined, a gateway update, a re-check
    the bot started); a join of someone forgotten is then not stored, as a reader list's isn't.
    """

    tenant: TenantRef
    channel: ChannelRef
    user_id: str
    joined: bool
    occurred_at: datetime
    by_actor: bool = False


class ProfileChanged(_Frozen):
    """Profile facts a platform (or the console's ``:tz``) tells us; ``None`` means unchanged."""

    tenant: TenantRef
    user: UserRef
    timezone: str | None = None
    team: str | None = None
    # The account was deactivated or left the workspace/server (True), or is back (False):
    # people who are gone are never suggested, introduced or prompted, and nothing is erased.
    departed: bool | None = None
    occurred_at: datetime


class PostDeleted(_Frozen):
    """A message was deleted in a channel (by its author, a moderator, or the bot itself).

    Platforms say only where it was (no words, no author): the core looks the ids up among the
    bot's own posts that matter after they went out, such as an open question's.
    """

    tenant: TenantRef
    channel_id: str
    message_id: str
    occurred_at: datetime


class ChannelDeleted(_Frozen):
    """The platform deleted a channel, and every post in it: what was narrated there is read by
    nobody from now on (the core keeps it as private with no readers), and the features whose
    posts lived there are told."""

    tenant: TenantRef
    channel_id: str
    occurred_at: datetime


ActorEvent = CommandInvoked | MessageReceived | FormSubmitted
Event = (
    ActorEvent
    | ChannelDescribed
    | MembershipChanged
    | ProfileChanged
    | PostDeleted
    | ChannelDeleted
)
