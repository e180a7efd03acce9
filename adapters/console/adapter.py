"""The console adapter: a chat in the terminal with a clock you control.

It plays the platform: it knows the channels you declared, who spoke where, and what a form is,
and turns each line into the same events Slack and Discord produce.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.events import (
    ActorEvent,
    ChannelDescribed,
    ChannelKind,
    ChannelRef,
    CommandInvoked,
    FormSubmitted,
    MessageReceived,
    Platform,
    ProfileChanged,
    TenantRef,
    UserRef,
)
from narrate_bot.knowledge.durations import parse_timezone
from narrate_bot.replies import FormRequest, Post, Reply, Visibility

from . import grammar
from .render import block

TENANT = TenantRef(platform=Platform.CONSOLE, tenant_id="local", name="local")
HELP = """\
Lines look like this:
  alice: /narrate shipped the ledger migration     alice speaks in #general
  alice@payments: /narrate …                       … and her team is payments
  bob in #infra: @narrate who knows about kafka?   bob speaks in #infra
  bob in dm: who knows about kafka?                bob writes to the bot directly
  bob in #team thread: shipped the importer        bob replies in the thread of the latest
                                                   bot post in #team (or: thread m3)
  :channel #secret private alice,carol             declare a channel and its members
  :tz alice Europe/Berlin                          set a person's time zone
  :admin alice                                     make alice a workspace admin
  :guest pat                                       pat is a guest (can narrate, can't ask)
  :gone pat                                        pat's account was deactivated (or left);
                                                   pat speaking again brings them back
  :channel #partner shared alice,pat               a channel shared with another organisation
  :clock 2026-11-23T09:00:00+01:00  :advance 3d    set or move the simulated clock; moving
                                                   it forward runs the scheduled prompts due
  :help  :quit"""


class ConsoleAdapter:
    """Feeds lines to the bot and prints what it says; the end-to-end fixture of our tests."""

    def __init__(
        self,
        bot: Bot,
        clock: ManualClock,
        out: TextIO,
        *,
        export_dir: Path,
        default_user: str | None = None,
    ) -> None:
        self.bot = bot
        self.clock = clock
        self.out = out
        self.export_dir = export_dir
        self.default_user = default_user
        self.channels: dict[str, ChannelRef] = {
            grammar.DEFAULT_CHANNEL: ChannelRef(channel_id=grammar.DEFAULT_CHANNEL, name="general")
        }
        self._forms: dict[str, FormRequest] = {}
        self.admins: set[str] = set()
        self.guests: set[str] = set()
        self._posted = 0
        self._latest_post: dict[str, str] = {}  # channel id -> latest bot post (thread anchor)
        self._thread_posts: dict[str, str] = {}  # bot post id -> its channel id
        bot.gateways[Platform.CONSOLE] = self

    # ------------------------------------------------------------------------------- input side

    async def feed(self, line: str) -> bool:
        """Handle one line; ``False`` once the person asked to quit."""
        try:
            parsed = grammar.parse_line(line, default_user=self.default_user)
        except grammar.GrammarError as problem:
            self._print(f"[console] {problem}")
            return True
        match parsed:
            case None:
                return True
            case grammar.Meta(name="quit"):
                return False
            case grammar.Meta():
                self._print(HELP)
            case grammar.DeclareChannel():
                await self._declare(parsed)
            case grammar.SetTimezone():
                await self._set_timezone(parsed.user, parsed.zone)
            case grammar.SetAdmin():
                self.admins.add(parsed.user)
                self._print(f"[console] {parsed.user} is a workspace admin")
            case grammar.SetGuest():
                self.guests.add(parsed.user)
                self._print(f"[console] {parsed.user} is a guest")
            case grammar.SetGone():
                await self.bot.handle(
                    ProfileChanged(
                        tenant=TENANT,
                        user=self._user(parsed.user),
                        departed=True,
                        occurred_at=self.clock.now(),
                    )
                )
                self._print(f"[console] {parsed.user}'s account is gone")
            case grammar.SetClock():
                await self._move_clock(parsed.when)
            case grammar.Advance():
                await self._move_clock(self.clock.now() + parsed.delta)
            case grammar.Speech():
                await self._speak(parsed)
        return True

    async def feed_all(self, lines: Iterable[str]) -> None:
        for line in lines:
            if not await self.feed(line):
                return

    async def run_interactive(self, stdin: TextIO = sys.stdin) -> None:
        who = self.default_user or "you"
        self._print(
            f"narrate-bot console: you're speaking as {who} in #general; the clock says "
            f"{self.clock.now():%Y-%m-%d %H:%M %Z}.\n"
            "Ask “who knows about X?”, narrate with /narrate <text>, see /narrate help, or :help "
            "for the console's own commands. Ctrl-D quits."
        )
        while True:
            line = await asyncio.to_thread(_read_line, stdin)
            if line is None or not await self.feed(line):
                return

    async def _move_clock(self, when: datetime) -> None:
        """Moving forward runs what falls due in between, in order, each at its own time."""
        if when > self.clock.now():
            await self.bot.run_due(when)
        self.clock.set(when)
        self._print(f"[console] the time is now {self.clock.now().isoformat()}")

    async def _declare(self, line: grammar.DeclareChannel) -> None:
        # A shared channel is private to its members, and its readers include outsiders.
        shared = line.kind == "shared"
        kind = ChannelKind.PRIVATE if shared else ChannelKind(line.kind)
        ref = ChannelRef(channel_id=line.name, name=line.name, kind=kind, shared=shared)
        self.channels[line.name] = ref
        await self.bot.handle(
            ChannelDescribed(
                tenant=TENANT,
                channel=ref,
                members=line.members if kind == ChannelKind.PRIVATE else None,
                occurred_at=self.clock.now(),
            )
        )
        who = f" with {', '.join(line.members)}" if line.members else ""
        self._print(f"[console] #{line.name} is {line.kind}{who}")

    async def _set_timezone(self, user: str, zone: str) -> None:
        try:
            key = parse_timezone(zone).key
        except ValueError as problem:
            self._print(f"[console] {problem}")
            return
        await self.bot.handle(
            ProfileChanged(
                tenant=TENANT, user=self._user(user), timezone=key, occurred_at=self.clock.now()
            )
        )
        self._print(f"[console] {user}'s time zone is {key}")

    async def _speak(self, speech: grammar.Speech) -> None:
        user = self._user(speech.user)
        if speech.team:
            await self.bot.handle(
                ProfileChanged(
                    tenant=TENANT, user=user, team=speech.team, occurred_at=self.clock.now()
                )
            )
        channel = self._channel(speech)
        waiting = self._forms.get(speech.user)
        event = self._event(speech, user, channel)
        if event is None:
            return
        for reply in await self.bot.handle(event):
            self._show(reply, user=speech.user, channel=channel)
        if waiting is not None and self._forms.get(speech.user) is waiting:
            self._print(
                f"[console] {speech.user}'s form is still open: their next line not addressed "
                "to @narrate fills it; a /command cancels it"
            )

    def _event(
        self, speech: grammar.Speech, user: UserRef, channel: ChannelRef
    ) -> ActorEvent | None:
        common: dict[str, Any] = {
            "event_id": uuid.uuid4().hex,
            "tenant": TENANT,
            "user": user,
            "channel": channel,
            "occurred_at": self.clock.now(),
        }
        text = speech.text
        if speech.thread is not None and not text.startswith("/") and speech.channel:
            anchor = speech.thread or self._latest_post.get(channel.channel_id)
            if anchor is None:
                self._print(f"[console] nothing has been posted in #{channel.name} yet")
                return None
            if self._thread_posts.get(anchor) != channel.channel_id:
                self._print(
                    f"[console] there is no post {anchor} in #{channel.name} to reply under "
                    "(the bot's channel posts say their id when they appear)"
                )
                return None
            return MessageReceived(
                text=text, addressed_to_bot=_mentions_bot(text), thread_id=anchor, **common
            )
        if text.startswith("/"):
            self._forms.pop(speech.user, None)
            name, _, rest = text[1:].partition(" ")
            return CommandInvoked(command=name, text=rest.strip(), **common)
        # A form is a modal on Slack and Discord: a mention of the bot is a channel message
        # beside it, never the form's text ("who knows …?" is answered, not kept as work), and
        # the form stays open.
        if speech.user in self._forms and not _mentions_bot(text):
            form = self._forms.pop(speech.user)
            return FormSubmitted(form=form.form, fields={"text": text}, **common)
        # Typing at the console's prompt is talking to the bot; scripted lines say so explicitly.
        addressed = (
            channel.kind == ChannelKind.DIRECT or _mentions_bot(text) or not speech.explicit_user
        )
        if not addressed:
            return None  # ordinary chatter: the bot reads only what's addressed to it
        return MessageReceived(text=text, addressed_to_bot=addressed, **common)

    def _user(self, name: str) -> UserRef:
        return UserRef(
            user_id=name.lower(),
            display_name=name,
            is_admin=name.lower() in self.admins,
            guest=name.lower() in self.guests,
        )

    def _channel(self, speech: grammar.Speech) -> ChannelRef:
        if speech.channel is None:
            return ChannelRef(
                channel_id=f"dm-{speech.user}", name=f"dm {speech.user}", kind=ChannelKind.DIRECT
            )
        known = self.channels.get(speech.channel)
        if known is None:
            known = ChannelRef(channel_id=speech.channel, name=speech.channel)
            self.channels[speech.channel] = known
        return known

    # ------------------------------------------------------------------------------ output side

    async def post(self, tenant: TenantRef, post: Post) -> str:
        """The console's ``ChatGateway``: print the post where it goes; ids are ``m1``, ``m2``…"""
        del tenant  # the console has one tenant
        self._posted += 1
        post_id = f"m{self._posted}"
        if post.channel_id is not None:
            where = f"#{post.channel_id}" + (" thread" if post.thread_of else "")
            if post.thread_of is None:
                self._latest_post[post.channel_id] = post_id
                self._thread_posts[post_id] = post.channel_id
        else:
            where = "dm " + ",".join(post.to_users)
        reply = Reply(text=post.text, buttons=post.buttons, names=post.names)
        self._print(block(where, reply))
        if post.channel_id is not None and post.thread_of is None:
            self._print(
                f"[console] posted as {post_id}: reply in #{post.channel_id} thread {post_id}"
            )
        return post_id

    def _show(self, reply: Reply, *, user: str, channel: ChannelRef) -> None:
        if reply.form is not None:
            self._forms[user] = reply.form
        saved = self._save(reply) if reply.attachment is not None else None
        self._print(block(_destination(reply, user=user, channel=channel), reply, saved_to=saved))

    def _save(self, reply: Reply) -> Path | None:
        """The file the attachment went to; ``None`` (and a note) when it can't be written, so
        a read-only or mistyped ``--export-dir`` doesn't end the session."""
        assert reply.attachment is not None
        try:
            self.export_dir.mkdir(parents=True, exist_ok=True)
            path = (self.export_dir / Path(reply.attachment.filename).name).resolve()
            path.write_bytes(reply.attachment.content)
        except OSError as problem:
            self._print(
                f"[console] couldn't save {reply.attachment.filename} in {self.export_dir} "
                f"({problem.strerror or type(problem).__name__}); choose another --export-dir"
            )
            return None
        return path

    def _print(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()


def _mentions_bot(text: str) -> bool:
    """``@narrate …``: the console's spelling of a mention of the bot (Slack's app mention)."""
    return text.lower().startswith("@narrate")


def _destination(reply: Reply, *, user: str, channel: ChannelRef) -> str:
    if reply.visibility == Visibility.DIRECT or channel.kind == ChannelKind.DIRECT:
        return f"dm {user}"
    if reply.visibility == Visibility.PRIVATE:
        return f"only {user} in #{channel.name}"
    return f"#{channel.name} thread" if reply.in_thread else f"#{channel.name}"


def _read_line(stdin: TextIO) -> str | None:
    try:
        return input("> ") if stdin is sys.stdin else (stdin.readline() or None)
    except EOFError:
        return None
