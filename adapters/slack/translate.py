"""Slack payloads → the core's events. Pure functions of the payload (and of facts the app looked
up, like a channel's kind or a user's admin flag), so each shape is tested from a fixture.

Nothing here decides intent: a mention becomes a ``MessageReceived`` addressed to the bot and the
core works out whether it is a question.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from narrate_bot.channel_names import GROUP_DM
from narrate_bot.events import (
    Audience,
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
    Source,
    TenantRef,
    UserRef,
)
from narrate_bot.knowledge.clean_text import DROPPED
from narrate_bot.knowledge.words import markup_opening

from .store import tenant_key

Payload = dict[str, Any]
NARRATE_PREFIX = "/narrate"
FORM_CALLBACK = "narrate_form"
TEXT_BLOCK, TEXT_INPUT = "text_block", "text"
AUDIENCE_BLOCK, AUDIENCE_INPUT = "audience_block", "audience"
_CHANNEL_TYPES = {
    "im": ChannelKind.DIRECT,
    "mpim": ChannelKind.PRIVATE,
    "group": ChannelKind.PRIVATE,
    "private_channel": ChannelKind.PRIVATE,
    "channel": ChannelKind.PUBLIC,
    "public_channel": ChannelKind.PUBLIC,
    "G": ChannelKind.PRIVATE,  # member_joined_channel / member_left_channel say G or C
    "C": ChannelKind.PUBLIC,
}
# Slack names a group DM after its members' handles ("mpdm-ann.lee--ben.ray-1"); the prefix is
# also all a slash command says about being typed in one.
GROUP_DM_PREFIX = "mpdm-"
# What every group DM is called instead. It can't be a Slack channel's name (those have no
# spaces or capitals), so a "#name" typed in a command never picks a group DM by mistake.
GROUP_DM_NAME = GROUP_DM  # the core names it "the group DM" in replies (channel_names.shown)


def channel_name(name: str, *, group_dm: bool = False) -> str:
    """The name we keep for a channel: a group DM's carries no one's handle.

    Stored, Slack's group-DM name kept each member's handle after their forget-me, in the other
    members' exports and as where answers' evidence was written; no one's erasure can edit a
    name the others share, so no group DM keeps one.
    """
    if group_dm or name.startswith(GROUP_DM_PREFIX):
        return GROUP_DM_NAME
    return name


@dataclass(frozen=True)
class Where:
    """Where a payload happened, as the app resolved it (kind and name may need a lookup)."""

    channel_id: str
    kind: ChannelKind
    name: str = ""
    shared: bool = False  # people outside the workspace read it (Slack Connect, org-shared)

    def __post_init__(self) -> None:
        # Every route to the core and to a modal's metadata goes through a Where, so a name
        # with a handle in it is caught here whichever payload or lookup it came from.
        object.__setattr__(self, "name", channel_name(self.name))

    def ref(self) -> ChannelRef:
        return ChannelRef(
            channel_id=self.channel_id, name=self.name, kind=self.kind, shared=self.shared
        )


def tenant_of(body: Payload) -> TenantRef:
    team = body.get("team")
    team_id = body.get("team_id") or (team.get("id") if isinstance(team, dict) else None)
    enterprise = body.get("enterprise")
    enterprise_id = body.get("enterprise_id") or (
        enterprise.get("id") if isinstance(enterprise, dict) else None
    )
    # An org-wide install delivers the workspace in the user object of interactive payloads.
    user = body.get("user")
    if not team_id and isinstance(user, dict):
        team_id = user.get("team_id")
    name = body.get("team_domain") or (team.get("domain", "") if isinstance(team, dict) else "")
    return TenantRef(
        platform=Platform.SLACK, tenant_id=tenant_key(enterprise_id, team_id), name=name or ""
    )


def kind_of_channel_type(channel_type: str | None, channel_id: str) -> ChannelKind | None:
    """The kind a payload's hint settles, or ``None`` when only a lookup may say.

    Only hints that *narrow* visibility are trusted. "channel" is also what Slack says for a
    Slack Connect channel, which other organisations read, so a public kind always comes from
    ``conversations.info`` (``Directory.where``), never from a hint.
    """
    if channel_id.startswith("D"):
        return ChannelKind.DIRECT
    kind = _CHANNEL_TYPES.get(channel_type or "")
    return kind if kind is not None and kind != ChannelKind.PUBLIC else None


def kind_of_command(body: Payload) -> ChannelKind:
    """What a slash command's payload says about its channel; PUBLIC means "look it up".

    Slash commands say "directmessage" / "privategroup" in ``channel_name`` for those kinds; a
    group DM arrives with a ``C`` id and a ``mpdm-`` name and is private to its members.
    """
    name = str(body.get("channel_name", ""))
    if name == "directmessage" or str(body.get("channel_id", "")).startswith("D"):
        return ChannelKind.DIRECT
    if name == "privategroup" or name.startswith(GROUP_DM_PREFIX):
        return ChannelKind.PRIVATE
    return ChannelKind.PUBLIC


def when(value: Any) -> datetime:
    """A Slack ``ts`` / ``event_time`` (epoch seconds, maybe a string) as an aware datetime."""
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError):
        return datetime.now(UTC)


# Slack escapes "&", "<" and ">" in the text people type (messages, mentions, a shortcut's
# message, a slash command's text) as "&amp;", "&lt;" and "&gt;", so any "<…>" left in it is
# Slack's own markup (``<@U1>``, ``<#C1|name>``, ``<!here>``, ``<https://…|label>``). Modal
# ``plain_text_input`` values arrive as typed and are never decoded.
_SLACK_MARKUP = re.compile(r"<[^<>]*>")
_ENTITY = re.compile(r"&(amp|lt|gt);")
_DECODED = {"amp": "&", "lt": "<", "gt": ">"}
# A typed bracket pair the core would read as markup ("<@U2>", "<!here>", "<https://x|y>") is
# kept as look-alike angle quotes, so a typed "<@U2>" never mentions U2.
_OPEN, _CLOSE = "\u2039", "\u203a"  # ‹ ›


def slack_text(text: str) -> str:
    """Text as a person typed it in Slack, for the core: ``&amp;``, ``&lt;`` and ``&gt;``
    decoded once (a typed "&lt;", sent as "&amp;lt;", stays "&lt;"), in Slack's markup too (a
    link's label "a &lt; b" is "a < b").

    Slack's markup stays markup. A typed "<" stays "<" ("x <= 5", "vector<int>", "a<b and c>d",
    "<beta>") unless the core would read it as opening markup (``words.markup_opening``: a
    mention, channel, broadcast or link); then it, and the typed ">" closing it, are "‹" and
    "›" (``typed_text``).

    What ``clean_text`` drops (bidirectional marks, control characters) goes first: judged
    with it, "<\u200e@U2>" was plain text, and the core's ``clean_text`` then stored it as a
    live "<@U2>".
    """
    text = text.translate(DROPPED)
    chars: list[str] = []
    typed: list[bool] = []  # per character: not a bracket of Slack's own markup
    last = 0
    for match in _SLACK_MARKUP.finditer(text):
        _decode(text[last : match.start()], chars, typed)
        chars.append("<")
        typed.append(False)
        _decode(match.group()[1:-1], chars, typed)
        chars.append(">")
        typed.append(False)
        last = match.end()
    _decode(text[last:], chars, typed)
    return _neutralised(chars, typed)


def typed_text(text: str) -> str:
    """Text typed where Slack sends it as typed (a modal's text box), for the core: every
    bracket is the person's, and a pair the core would read as markup is "‹" "›", as in
    ``slack_text``. Without this a modal's typed "<@U2>" was kept as markup, and a who-knows
    answer quoting it pinged U2 whenever the answer named U2 too. What ``clean_text`` drops
    goes first, as in ``slack_text``."""
    text = text.translate(DROPPED)
    return _neutralised(list(text), [True] * len(text))


def as_typed(text: str) -> str:
    """Slack's text exactly as the person typed it, to give it back (a failed command's "paste
    it again"): entities decoded once, nothing made look-alike."""
    return _ENTITY.sub(lambda m: _DECODED[m.group(1)], text)


def _decode(text: str, chars: list[str], typed: list[bool]) -> None:
    decoded = as_typed(text)
    chars += decoded
    typed += [True] * len(decoded)


def _neutralised(chars: list[str], typed: list[bool]) -> str:
    """``chars`` with each typed "<" the core would read as opening markup made "‹", and the
    typed ">" closing it "›"; Slack's own brackets (``typed`` false) stay.

    Read from the end, so each "<" is judged on what follows it as it will be kept: its closer
    is the nearest ">" still kept, and a link is one only if no kept "<" comes before that.
    (A "‹" or "›" made later, further left, can only make a pair on the right less like markup.)
    One pass, linear in the text.
    """
    closers: list[int] = []  # the ">" kept to the right, nearest last
    next_open = len(chars)  # the nearest "<" kept to the right
    run = 0  # how many characters a scheme may have start right after ``at``
    for at in range(len(chars) - 1, -1, -1):
        char = chars[at]
        if char == ">":
            closers.append(at)
        elif char == "<" and typed[at] and closers:
            close = closers[-1]
            # Enough to tell a sigil or a scheme and its ":" (never the whole rest).
            after = "".join(chars[at + 1 : min(close, next_open, at + run + 3)])
            opening = markup_opening(after)
            if opening == "mention" or (opening == "link" and close < next_open):
                chars[at] = _OPEN
                if typed[close]:
                    chars[close] = _CLOSE
                    closers.pop()
            else:
                next_open = at
        elif char == "<":
            next_open = at
        run = run + 1 if char.isascii() and (char.isalnum() or char in "+.-") else 0
    return "".join(chars)


def command_text(value: str) -> str:
    """A ``Button.command`` like "/narrate share 3" → the text after the command name."""
    stripped = value.strip()
    if stripped.lower().startswith(NARRATE_PREFIX):
        return stripped[len(NARRATE_PREFIX) :].strip()
    return stripped


def slash_command(
    body: Payload, user: UserRef, *, now: datetime, where: Where | None = None
) -> CommandInvoked:
    """``where`` is the channel as the app resolved it; without it, the payload's own hint."""
    if where is None:
        where = Where(
            channel_id=body["channel_id"],
            kind=kind_of_command(body),
            name=body.get("channel_name", ""),
        )
    return CommandInvoked(
        event_id=f"cmd:{body.get('trigger_id') or now.timestamp()}",
        tenant=tenant_of(body),
        user=user,
        channel=where.ref(),
        occurred_at=now,
        command=str(body.get("command", "")).lstrip("/"),
        text=slack_text(body.get("text", "") or ""),
    )


def message(
    body: Payload, event: Payload, user: UserRef, where: Where, *, link: str | None = None
) -> MessageReceived:
    """An ``app_mention``, a DM (``message.im``) or a thread reply in a channel."""
    thread = event.get("thread_ts")
    return MessageReceived(
        event_id=body.get("event_id") or f"msg:{where.channel_id}:{event.get('ts')}",
        tenant=tenant_of(body),
        user=user,
        channel=where.ref(),
        occurred_at=when(event.get("ts") or body.get("event_time")),
        link=link,
        text=slack_text(event.get("text", "") or ""),
        addressed_to_bot=event.get("type") == "app_mention",
        thread_id=thread if thread and thread != event.get("ts") else None,
    )


def shortcut(
    body: Payload, user: UserRef, where: Where, *, link: str | None, now: datetime
) -> CommandInvoked:
    """The "Narrate this" message shortcut: the message's text becomes a narration."""
    msg = body.get("message") or {}
    return CommandInvoked(
        event_id=f"shortcut:{body.get('trigger_id') or msg.get('ts')}",
        tenant=tenant_of(body),
        user=user,
        channel=where.ref(),
        occurred_at=now,
        link=link,
        command="narrate",
        text=slack_text(msg.get("text", "") or ""),
        source=Source.SHORTCUT,
    )


def button(
    body: Payload, action: Payload, user: UserRef, where: Where, *, now: datetime
) -> CommandInvoked:
    return CommandInvoked(
        event_id=f"action:{body.get('trigger_id') or action.get('action_ts')}",
        tenant=tenant_of(body),
        user=user,
        channel=where.ref(),
        occurred_at=now,
        command="narrate",
        text=command_text(str(action.get("value", ""))),
    )


def form_metadata(*, form: str, where: Where, home: bool = False) -> str:
    """What a modal must remember: which core form it is, where it was asked for, and whether
    from the App Home (which then shows the new narration). The channel's kind and name are
    only what they were when it opened: ``form_where`` is all a submission may take from them."""
    meta: dict[str, Any] = {"form": form, "c": where.channel_id, "k": where.kind.value}
    meta["n"] = where.name
    if home:
        meta["h"] = 1
    return json.dumps(meta)


def _metadata(body: Payload) -> Payload:
    view = body.get("view") or {}
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def form_text(body: Payload) -> str:
    """What was typed in the narration modal's text box."""
    values = ((body.get("view") or {}).get("state") or {}).get("values") or {}
    return str(((values.get(TEXT_BLOCK) or {}).get(TEXT_INPUT) or {}).get("value") or "")


def form_where(body: Payload, user_id: str) -> tuple[str, ChannelKind, str]:
    """The channel a modal was opened in, as it was then: (id, kind, name).

    A modal stays open as long as the person likes, and a channel may be made private, or the
    person removed from it, meanwhile: only a DM (which never changes kind) is taken from here
    as it is; any other channel is looked up again when the form is submitted."""
    meta = _metadata(body)
    try:
        kind = ChannelKind(meta.get("k") or ChannelKind.DIRECT.value)
    except ValueError:
        kind = ChannelKind.PRIVATE
    return str(meta.get("c") or user_id), kind, channel_name(str(meta.get("n", "")))


def from_home(body: Payload) -> bool:
    """Whether the modal was opened from the App Home's "Write my update"."""
    return bool(_metadata(body).get("h"))


def shortcut_author(body: Payload) -> str | None:
    """Who wrote the message a message shortcut was used on (``None``: an app or bot)."""
    msg = body.get("message") or {}
    if msg.get("bot_id") and not msg.get("user"):
        return None
    return str(msg.get("user") or "") or None


def view_submission(
    body: Payload, user: UserRef, *, now: datetime, where: Where | None = None
) -> FormSubmitted:
    """``where`` is the channel as the app looked it up on submission; without it, the one
    saved in the modal when it opened (``form_where``)."""
    view = body.get("view") or {}
    meta = _metadata(body)
    values = (view.get("state") or {}).get("values") or {}
    text = form_text(body)
    picked = ((values.get(AUDIENCE_BLOCK) or {}).get(AUDIENCE_INPUT) or {}).get(
        "selected_option"
    ) or {}
    audience = picked.get("value") or Audience.CHANNEL.value
    if audience not in {a.value for a in Audience}:
        audience = Audience.CHANNEL.value
    if where is None:
        # A modal opened before group DMs were renamed may still carry Slack's name.
        channel_id, kind, name = form_where(body, user.user_id)
        where = Where(channel_id=channel_id, kind=kind, name=name)
    return FormSubmitted(
        event_id=f"view:{view.get('id', '')}:{view.get('hash', '')}",
        tenant=tenant_of(body),
        user=user,
        channel=where.ref(),
        occurred_at=now,
        form=meta.get("form") or "",
        fields={"text": typed_text(text), "audience": audience},
    )


def membership(
    body: Payload,
    event: Payload,
    *,
    joined: bool,
    kind: ChannelKind | None = None,
    shared: bool | None = None,
) -> MembershipChanged:
    """``member_joined_channel`` / ``member_left_channel``. ``kind`` is the channel's kind as the
    app resolved it; without it, ``channel_type`` G means private and anything else public."""
    if kind is None:
        kind = ChannelKind.PRIVATE if event.get("channel_type") == "G" else ChannelKind.PUBLIC
    return MembershipChanged(
        tenant=tenant_of(body),
        channel=ChannelRef(channel_id=event["channel"], name="", kind=kind, shared=shared),
        user_id=event["user"],
        joined=joined,
        occurred_at=when(body.get("event_time")),
        by_actor=False,  # an event about them, never their use of the bot
    )


def channel_described(
    body: Payload,
    event: Payload,
    *,
    kind: ChannelKind,
    members: tuple[str, ...] | None = None,
    shared: bool | None = None,
    bot_in: bool | None = None,
) -> ChannelDescribed:
    """``channel_created`` / ``channel_rename`` / ``group_rename`` and type changes; an
    ``*_archive`` / ``*_unarchive`` event says whether it is archived."""
    channel = event.get("channel")
    channel_id = channel.get("id", "") if isinstance(channel, dict) else str(channel or "")
    name = channel_name(channel.get("name", "") if isinstance(channel, dict) else "")
    return ChannelDescribed(
        tenant=tenant_of(body),
        channel=ChannelRef(channel_id=channel_id, name=name, kind=kind, shared=shared),
        members=members,
        occurred_at=when(body.get("event_time")),
        archived=_ARCHIVING.get(str(event.get("type", ""))),
        bot_in=bot_in,
    )


def post_deleted(body: Payload, event: Payload) -> PostDeleted | None:
    """A ``message_deleted`` message event: which message went (Slack's ``deleted_ts``)."""
    channel_id, message_id = event.get("channel"), event.get("deleted_ts")
    if not isinstance(channel_id, str) or not isinstance(message_id, str):
        return None
    if not channel_id or not message_id:
        return None
    return PostDeleted(
        tenant=tenant_of(body),
        channel_id=channel_id,
        message_id=message_id,
        occurred_at=when(body.get("event_time")),
    )


def channel_deleted(body: Payload, event: Payload) -> ChannelDeleted | None:
    """``channel_deleted`` / ``group_deleted``: Slack names only the channel's id."""
    channel = event.get("channel")
    channel_id = channel.get("id", "") if isinstance(channel, dict) else channel
    if not isinstance(channel_id, str) or not channel_id:
        return None
    return ChannelDeleted(
        tenant=tenant_of(body), channel_id=channel_id, occurred_at=when(body.get("event_time"))
    )


# The events that archive a channel or bring it back.
_ARCHIVING = {
    "channel_archive": True,
    "group_archive": True,
    "channel_unarchive": False,
    "group_unarchive": False,
}


def profile(body: Payload, event: Payload) -> ProfileChanged | None:
    """``user_change``: the Slack profile's time zone becomes the person's, and a deactivated
    account (``deleted``) is gone until Slack says otherwise."""
    user = event.get("user") or {}
    if not user.get("id"):
        return None
    return ProfileChanged(
        tenant=tenant_of(body),
        user=user_ref(user),
        timezone=user.get("tz") or None,
        departed=bool(user["deleted"]) if "deleted" in user else None,
        occurred_at=when(body.get("event_time")),
    )


@dataclass(frozen=True)
class Workspace:
    """The workspace the bot is installed in, as far as telling members from outsiders goes."""

    team_id: str
    enterprise_id: str | None = None  # its Grid org, whose other workspaces are colleagues


def from_elsewhere(info: Payload, workspace: Workspace, teams: set[str] | None = None) -> bool:
    """Whether a person belongs to another organisation (Slack Connect).

    Slack flags a person from another company as ``is_stranger`` only when they share no
    channel the app can see; a Slack Connect member of a shared channel carries no flag at all,
    just their own company's ``team_id``. A colleague on another workspace of the same Grid org
    is still one of us.
    """
    teams = {t for t in (teams or set()) | {info.get("team_id") or ""} if t}
    if not teams - {workspace.team_id}:
        return False  # the workspace's own, or Slack didn't say (nothing to go on)
    enterprise = (info.get("enterprise_user") or {}).get("enterprise_id") or info.get(
        "enterprise_id"
    )
    return not (enterprise and workspace.enterprise_id and enterprise == workspace.enterprise_id)


def user_ref(
    info: Payload, *, workspace: Workspace | None = None, teams: set[str] | None = None
) -> UserRef:
    """From a ``users.info`` user object (or a ``user_change`` payload). ``workspace`` is where
    the bot is installed, and ``teams`` other teams a payload says the person belongs to; without
    a workspace only Slack's guest flags can mark someone as an outsider."""
    prof = info.get("profile") or {}
    name = prof.get("display_name") or info.get("real_name") or info.get("name") or info["id"]
    outsider = workspace is not None and from_elsewhere(info, workspace, teams)
    return UserRef(
        user_id=info["id"],
        display_name=name,
        # Their own company's admin is no admin here.
        is_admin=not outsider and bool(info.get("is_admin") or info.get("is_owner")),
        guest=outsider
        or bool(
            info.get("is_restricted")  # a multi-channel guest
            or info.get("is_ultra_restricted")  # a single-channel guest
            or info.get("is_stranger")  # from another organisation, sharing no channel with us
        ),
    )
