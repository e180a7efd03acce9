"""The console adapter: a chat in the terminal with a clock you control.

It plays the platform: it knows the channels you declared, who spoke where, and what a form is,
and turns each line into the same events Slack and Discord produce.
"""

from __future__ import annotations

import asyncio
import queue
import re
import sys
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
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
from narrate_bot.storage import repositories as repo

from . import grammar
from .render import block

TENANT = TenantRef(platform=Platform.CONSOLE, tenant_id="local", name="local")
HELP = """\
[console] Lines look like this:
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
        # Names are user ids, read in lowercase like the speakers of lines ("--as Bob" is bob).
        self.default_user = default_user.lower() if default_user else default_user
        # The channels declared in this session, as declared (kind word and members): what the
        # note refusing a non-member suggests. What a channel *is* comes from the database, so a
        # later session on it never turns a private channel public (README: it persists).
        self.declared: dict[str, tuple[str, tuple[str, ...]]] = {}
        # An open form and the channel it was opened in: Slack's modal remembers its channel.
        self._forms: dict[str, tuple[FormRequest, ChannelRef]] = {}
        self.admins: set[str] = set()
        self.guests: set[str] = set()
        self._known: set[str] = set()  # people named in this session or found in the database
        self._looked_up: set[str] = set()
        self._posted = 0
        self._answered = 0  # who-knows answers reported to the core (``_report``)
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
                self._known.add(parsed.user)
                self._print(f"[console] {parsed.user} is a workspace admin")
            case grammar.SetGuest():
                self.guests.add(parsed.user)
                self._known.add(parsed.user)
                self._print(f"[console] {parsed.user} is a guest")
            case grammar.SetGone():
                await self.bot.handle(
                    ProfileChanged(
                        tenant=TENANT,
                        user=await self._user(parsed.user),
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
        reader = _LineReader(stdin)
        while True:
            line = await reader.next_line()
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
        self.declared[line.name] = (line.kind, line.members)
        self._known.update(line.members)
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
        self._known.add(user)
        await self.bot.handle(
            ProfileChanged(
                tenant=TENANT,
                user=await self._user(user),
                timezone=key,
                occurred_at=self.clock.now(),
            )
        )
        self._print(f"[console] {user}'s time zone is {key}")

    async def _speak(self, speech: grammar.Speech) -> None:
        speech = await self._whose(speech)
        user = await self._user(speech.user)
        self._known.add(speech.user)
        # A line that fills an open form is the form's text, sent from the modal, not a message
        # in the channel it was typed in (the bot checks the form's own channel).
        fills_form = (
            speech.user in self._forms
            and speech.thread is None
            and not speech.text.startswith("/")
            and not _mentions_bot(speech.text)
        )
        channel = await self._channel(speech, user, check=not fills_form)
        if channel is None:
            return
        if speech.team and not await self._has_team(user, speech.team):
            await self.bot.handle(
                ProfileChanged(
                    tenant=TENANT, user=user, team=speech.team, occurred_at=self.clock.now()
                )
            )
        waiting = self._forms.get(speech.user)
        made = self._event(speech, user, channel)
        if made is None:
            return
        event, channel = made
        for reply in await self.bot.handle(event):
            self._show(reply, user=speech.user, channel=channel)
            if reply.quotes:
                await self._report(reply, user=user, channel=channel)
        if waiting is not None and self._forms.get(speech.user) is waiting:
            self._print(
                f"[console] {speech.user}'s form is still open: their next line not addressed "
                "to @narrate fills it; a /command cancels it"
            )

    async def _whose(self, speech: grammar.Speech) -> grammar.Speech:
        """At the interactive prompt, "Update: shipped the importer" is the person's own text
        unless someone called update is known here (named in this session or in the database):
        a newcomer's line is never silently given to a stranger and dropped as chatter."""
        me = self.default_user
        if me is None or not speech.bare or speech.user == me or speech.user in self._known:
            return speech
        if (await self._peek(user_id=speech.user)).person:
            self._known.add(speech.user)
            return speech
        self._print(
            f"[console] read as said by {me}: nobody called {speech.user} is here yet "
            f"(to speak as them, write {speech.user} in #general: …)"
        )
        return grammar.Speech(
            user=me, text=speech.line, channel=grammar.DEFAULT_CHANNEL, explicit_user=False
        )

    def _event(
        self, speech: grammar.Speech, user: UserRef, channel: ChannelRef
    ) -> tuple[ActorEvent, ChannelRef] | None:
        """The event the line makes, and the channel it happens in (a form's own channel)."""
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
            message = MessageReceived(
                text=text, addressed_to_bot=_mentions_bot(text), thread_id=anchor, **common
            )
            return message, channel
        if text.startswith("/"):
            self._forms.pop(speech.user, None)
            name, _, rest = text[1:].partition(" ")
            return CommandInvoked(command=name, text=rest.strip(), **common), channel
        # A form is a modal on Slack and Discord: a mention of the bot is a channel message
        # beside it, never the form's text ("who knows …?" is answered, not kept as work), and
        # the form stays open. What it holds goes to the channel it was opened in, wherever
        # the line that fills it was typed.
        if speech.user in self._forms and not _mentions_bot(text):
            form, opened_in = self._forms.pop(speech.user)
            common["channel"] = opened_in
            return FormSubmitted(form=form.form, fields={"text": text}, **common), opened_in
        # Typing at the console's prompt is talking to the bot; scripted lines say so explicitly.
        addressed = (
            channel.kind == ChannelKind.DIRECT or _mentions_bot(text) or not speech.explicit_user
        )
        if not addressed:
            return None  # ordinary chatter: the bot reads only what's addressed to it
        return MessageReceived(text=text, addressed_to_bot=addressed, **common), channel

    async def _user(self, name: str) -> UserRef:
        """The person as the platform describes them; a guest stays a guest in a later session
        on the same database (the console's ``:guest`` is remembered there)."""
        if name not in self._looked_up:
            self._looked_up.add(name)
            stored = await self._peek(user_id=name)
            if stored.person:
                self._known.add(name)
            if stored.guest:
                self.guests.add(name)
        return UserRef(
            user_id=name.lower(),
            display_name=name,
            is_admin=name.lower() in self.admins,
            guest=name.lower() in self.guests,
        )

    async def _channel(
        self, speech: grammar.Speech, user: UserRef, *, check: bool = True
    ) -> ChannelRef | None:
        """Where the line is said, as the database knows it (an unknown channel is public);
        ``None``, with a note, when the speaker isn't a member of that private channel: on Slack
        nobody can post where they aren't a member, and speaking would make them a reader."""
        if speech.channel is None:
            return ChannelRef(
                channel_id=f"dm-{speech.user}", name=f"dm {speech.user}", kind=ChannelKind.DIRECT
            )
        name = speech.channel
        stored = await self._peek(user_id=user.user_id, channel_id=name)
        if check and stored.kind != ChannelKind.PUBLIC and not stored.member:
            self._print(f"[console] {_refusal(speech.user, name, stored, self.declared.get(name))}")
            return None
        return ChannelRef(channel_id=name, name=name, kind=stored.kind, shared=stored.shared)

    async def _has_team(self, user: UserRef, team: str) -> bool:
        """Whether ``user`` is stored as the platform describes them, in ``team``: then
        "alice@payments: …" has nothing to write, and a question asked so waits for no writer."""
        stored = await self._peek(user_id=user.user_id)
        return stored.profile == (user.display_name, user.guest, team)

    async def _peek(self, *, user_id: str, channel_id: str | None = None) -> _Stored:
        """What the database holds about a person (and a channel, and whether they read it).
        Looking writes nothing: it reads in a snapshot, so on SQLite a line waits for no other
        writer (a forget-me's scrub, an import, the weekly job, another session on the file)
        and a line that only reads ("who knows …?", topics, mine) is answered meanwhile. A
        channel not stored yet is a new public one; the bot stores it when it handles the
        line, as it stores anything the line changes."""
        found = _Stored()
        async with self.bot.db.snapshot() as session:
            tenant = await repo.find_tenant(
                session, platform=TENANT.platform.value, external_id=TENANT.tenant_id
            )
            if tenant is None:  # a new database: nobody and no channel is stored yet
                return found
            assert tenant.id is not None
            person = await repo.find_person(session, tenant_id=tenant.id, user_id=user_id)
            if person is not None:
                found.person, found.guest = True, person.guest
                found.profile = (person.display_name, person.guest, person.team)
            else:  # declared a member of a channel, though they never spoke
                found.person = bool(
                    await repo.private_places_of(
                        session,
                        platform=TENANT.platform.value,
                        external_id=TENANT.tenant_id,
                        user_id=user_id,
                    )
                )
            if channel_id is not None:
                channel = await repo.find_channel(
                    session, tenant_id=tenant.id, channel_id=channel_id
                )
                if channel is not None:
                    assert channel.id is not None
                    found.kind, found.shared = ChannelKind(channel.kind), channel.shared
                    found.member = await repo.is_member(
                        session, channel_pk=channel.id, user_id=user_id
                    )
        return found

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
        elif post.channel_id is not None:
            self._print(
                f"[console] posted as {post_id} in #{post.channel_id} thread {post.thread_of}"
            )
        return post_id

    async def update(self, tenant: TenantRef, message_id: str, post: Post) -> None:
        """The console's ``ChatGateway.update``: print the post's new text, and which it was
        (a DM, like a followed-topics digest, too)."""
        del tenant
        if post.channel_id is None:
            where = "dm " + ",".join(post.to_users)
            self._print(block(where, Reply(text=post.text, buttons=post.buttons, names=post.names)))
            self._print(f"[console] edited {message_id} in {where}")
            return
        where = f"#{post.channel_id}" + (" thread" if post.thread_of else "")
        self._print(block(where, Reply(text=post.text, buttons=post.buttons, names=post.names)))
        self._print(f"[console] edited {message_id} in #{post.channel_id}")

    async def delete(
        self, tenant: TenantRef, channel_id: str, message_id: str, *, thread_of: str | None = None
    ) -> None:
        """The console's ``ChatGateway.delete``: say which post was removed (and its thread,
        which goes with it here); a post it never made, or removed already, is simply gone."""
        del tenant
        if thread_of is not None:  # a post in a thread opened none of its own
            self._print(f"[console] removed {message_id} from #{channel_id} thread {thread_of}")
            return
        if self._thread_posts.pop(message_id, None) is not None:
            for channel, latest in list(self._latest_post.items()):
                if latest == message_id:
                    del self._latest_post[channel]
        self._print(f"[console] removed {message_id} from #{channel_id}, with its thread")

    def _show(self, reply: Reply, *, user: str, channel: ChannelRef) -> None:
        if reply.form is not None:
            self._forms[user] = (reply.form, channel)
        saved = self._save(reply) if reply.attachment is not None else None
        self._print(block(_destination(reply, user=user, channel=channel), reply, saved_to=saved))

    async def _report(self, reply: Reply, *, user: UserRef, channel: ChannelRef) -> None:
        """A reply quoting narrations (a who-knows answer) that every platform would post as a
        message the bot can edit: it gets an id like a post's, and the core is told, so the
        narrations' edits and deletes reach it (printed as an edit). A private answer in a
        channel is ephemeral on the platforms, never edited: not reported."""
        if reply.visibility == Visibility.PRIVATE and channel.kind != ChannelKind.DIRECT:
            return
        self._answered += 1
        answer_id = f"a{self._answered}"  # apart from posts' ids, which tests and demos name
        if reply.visibility == Visibility.CHANNEL:
            # The asking line has no id here: the answer's thread is named by the answer.
            where = Post(
                text=reply.text,
                channel_id=channel.channel_id,
                thread_of=answer_id if reply.in_thread else None,
                names=reply.names,
            )
        else:
            where = Post(text=reply.text, to_users=(user.user_id,), names=reply.names)
        await self.bot.reply_posted(TENANT, reply, where, answer_id)

    def _save(self, reply: Reply) -> Path | None:
        """The file the attachment went to; ``None`` (and a note) when it can't be written, so
        a read-only or mistyped ``--export-dir`` doesn't end the session."""
        assert reply.attachment is not None
        try:
            self.export_dir.mkdir(parents=True, exist_ok=True)
            path = _write_new(
                self.export_dir / Path(reply.attachment.filename).name, reply.attachment.content
            )
        except OSError as problem:
            self._print(
                f"[console] couldn't save {reply.attachment.filename} in {self.export_dir} "
                f"({problem.strerror or type(problem).__name__}); choose another --export-dir"
            )
            return None
        return path

    def _print(self, text: str) -> None:
        self.out.write(printable(text) + "\n")
        self.out.flush()


@dataclass
class _Stored:
    person: bool = False
    guest: bool = False
    kind: ChannelKind = ChannelKind.PUBLIC
    shared: bool = False
    member: bool = False
    profile: tuple[str, bool, str | None] | None = None  # name, guest, team, when stored


def _refusal(
    user: str, name: str, stored: _Stored, declared: tuple[str, tuple[str, ...]] | None
) -> str:
    if stored.kind == ChannelKind.DIRECT:
        return (
            f"#{name} is someone's direct messages with the bot, so {user} can't write there "
            f"(write {user} in dm: … for their own)"
        )
    kind = "shared" if stored.shared else "private"
    if declared is not None:
        kind = declared[0]
        members = ",".join((*declared[1], user))
    else:
        members = f"MEMBERS,{user} (everyone in it)"
    return (
        f"{user} isn't in #{name} (a {kind} channel), so nothing was sent; "
        f"add them with :channel #{name} {kind} {members}"
    )


# The console's spelling of a mention of the bot (Slack's app mention): "@narrate" (or
# "@narrate-bot") as a word of its own, anywhere in the line, as Slack reads a mention.
_BOT_MENTION = re.compile(r"(?<![\w@.\-])@narrate(?:-bot)?(?![\w\-])", re.IGNORECASE)


def _mentions_bot(text: str) -> bool:
    return _BOT_MENTION.search(text) is not None


# What a terminal would obey rather than show: escape sequences (colours, cursor moves, clearing
# the screen, window titles) and other control characters. Someone's narration printed to the
# next person must not repaint their terminal.
_ESCAPE_SEQUENCES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor, erase
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window title, hyperlinks
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]?"  # any other escape
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` without what a terminal would act on; newlines and tabs stay."""
    return _CONTROLS.sub("", _ESCAPE_SEQUENCES.sub("", text))


def _write_new(path: Path, content: bytes) -> Path:
    """Write ``content`` to ``path``, or beside it (``name-2.json``…) when a file is there
    already: two exports in one simulated second, or in an earlier run, keep both."""
    for attempt in range(1, 1000):
        candidate = path if attempt == 1 else path.with_stem(f"{path.stem}-{attempt}")
        try:
            with candidate.open("xb") as file:
                file.write(content)
        except FileExistsError:
            continue
        return candidate.resolve()
    raise FileExistsError(path)


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


class _LineReader:
    """Reads the terminal in a daemon thread, one line when asked for it.

    ``asyncio.to_thread`` ran ``input()`` in the loop's executor, which ``asyncio.run`` waits
    for on the way out: Ctrl-C hung until Enter. Nothing waits for a daemon thread.
    """

    def __init__(self, stdin: TextIO) -> None:
        self._stdin = stdin
        self._wanted: queue.SimpleQueue[asyncio.Future[str | None]] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="console-input", daemon=True)
        self._thread.start()

    async def next_line(self) -> str | None:
        """The next line, or ``None`` at the end of input."""
        future: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        self._wanted.put(future)
        return await future

    def _run(self) -> None:
        while True:
            future = self._wanted.get()
            try:
                line: str | None = _read_line(self._stdin)
            except (OSError, ValueError):  # the terminal went away
                line = None
            try:
                future.get_loop().call_soon_threadsafe(_settle, future, line)
            except RuntimeError:  # the loop is closed: the console has ended
                return
            if line is None:
                return


def _settle(future: asyncio.Future[str | None], line: str | None) -> None:
    if not future.done():
        future.set_result(line)
