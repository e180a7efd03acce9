"""Recording narrations and letting people manage their own: list, edit, delete, share."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from ..channel_names import shown
from ..events import Audience, ChannelKind, CommandInvoked, FormSubmitted, MessageReceived, Source
from ..knowledge.clean_text import clean_text
from ..knowledge.days import read_day
from ..knowledge.durations import Calendar
from ..knowledge.topics import extract_topics, shows_a_subject
from ..knowledge.words import query_terms
from ..replies import (
    BUTTON_COMMAND_CHARS,
    FORM_PROMPT,
    HELD_BACK,
    Button,
    FormRequest,
    Reply,
    Shown,
    quoted,
)
from ..routing import KEEP, Command
from ..storage import narration_copy_edits as copy_edits
from ..storage import privacy, update_post_resync
from ..storage import repositories as repo
from ..storage import update_posts as update_post_repo
from ..storage.database import Session
from ..storage.own_search import OwnSearch, own_narrations
from ..storage.tables import Channel, Narration
from . import narration_copies, update_posts
from .consent import enroll
from .turn import Turn

log = logging.getLogger(__name__)

NARRATION_FORM = "narration"
MINE_LIMIT = 10
SNIPPET = 80
# ``Reply.if_kept`` of the edit offer, when #n changed while it was kept for later.
EDIT_HELD_BACK = (
    'I held back my question about your message "edit {ordinal} …" while I was asked to slow '
    "down, and #{ordinal} changed since, so I'm not showing what it said. Nothing was changed: "
    "/narrate mine shows it now, or choose below."
)
ERASED_MEANWHILE = (
    "Your forget-me went through just as this arrived, so I didn't keep it: nothing about you "
    "is stored. Send it again if you want to start afresh."
)


def written_where(channel: Channel, *, named: bool) -> str:
    """Where evidence shown to someone else was written, when it has no link: a DM narration is
    only ever shown because its author shared it, and a private channel says so, so a reader
    knows not to repeat it outside.

    ``named``: everyone reading the line reads the channel. A private channel's name is its
    members' to know (the author shared their words, not where they were written), so anyone
    else reads only that it came from one. What ``visible_to`` lets through with the channel's
    own audience is read by its members alone: ``named=narration.audience != "tenant"`` is
    right wherever it chose the narration, and names a shared one to nobody."""
    if channel.kind == ChannelKind.DIRECT.value:
        return "shared by them"
    if channel.kind == ChannelKind.PRIVATE.value:
        return f"{shown(channel.name)}, private" if named else "shared from a private channel"
    return shown(channel.name)


def snippet(text: str, limit: int = SNIPPET) -> str:
    # Cleaned again on the way out: text stored before ``clean_text`` may hold a bidi override.
    flat = " ".join(clean_text(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def ask_for_text(turn: Turn) -> list[Reply]:
    return [
        turn.reply(
            "What are you working on? Write a line or two and I'll keep it.",
            form=FormRequest(
                form=NARRATION_FORM,
                title="Narrate your work",
                prompt=FORM_PROMPT,
            ),
        )
    ]


def _too_long(turn: Turn, text: str) -> str | None:
    limit = turn.settings.max_narration_chars
    if len(text) <= limit:
        return None
    refusal = (
        f"That's {len(text):,} characters; a narration can be up to {limit:,}. "
        "Try a short summary, or split it into a few narrations. Nothing was saved."
    )
    if isinstance(turn.event, MessageReceived):
        return refusal  # a message stays in the conversation, where it can be copied
    # A slash command's box and a form are emptied once sent: the text exists nowhere else.
    return f"{refusal}\nHere is what you wrote, to shorten:\n{quoted(text)}"


def form_audience(event: FormSubmitted) -> Audience:
    """The audience picked in a form; one the core doesn't know is the channel's readers."""
    try:
        return Audience(event.fields.get("audience") or Audience.CHANNEL.value)
    except ValueError:
        return Audience.CHANNEL


def share_button(ordinal: int, created_at: datetime) -> Button:
    """The button carries when the narration was written: the short id alone is given again
    after a forget-me (a new person row counts from #1), and an old button in the chat history
    must never share a different, newer note."""
    return Button(
        label="Share with my workspace",
        command=f"/narrate share {ordinal} {WRITTEN} {_stamp(created_at)}",
    )


WRITTEN = "written"


def _stamp(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


async def record(turn: Turn, text: str, *, hint: str | None = None) -> list[Reply]:
    text = clean_text(text)
    if not text:
        return ask_for_text(turn)
    if problem := _too_long(turn, text):
        return [turn.reply(problem)]
    event = turn.event
    if isinstance(event, FormSubmitted):
        source = Source.FORM
        audience = form_audience(event)
    elif isinstance(event, CommandInvoked):
        source = Source.DM if turn.in_dm and event.source == Source.COMMAND else event.source
        audience = event.audience or Audience.CHANNEL
    else:
        source = Source.DM if turn.in_dm else Source.PROMPT_REPLY
        audience = Audience.CHANNEL
    try:
        async with turn.db.transaction() as session:
            tenant = await turn.tenant(session)
            # The author before the channel: its membership row is about them too, and a
            # forget-me on another replica must erase it or never see it (Turn.author).
            person = await turn.author(session, tenant)
            channel = await turn.channel(session, tenant)
            welcome = enroll(person, turn.now)
            session.add(person)
            assert tenant.id is not None and person.id is not None and channel.id is not None
            topics = extract_topics(text)
            narration = await repo.add_narration(
                session,
                tenant_id=tenant.id,
                person_id=person.id,
                channel_pk=channel.id,
                text=text,
                source=source.value,
                audience=audience.value,
                topics=topics,
                now=turn.now,
                link=turn.event.link,
            )
    except repo.PersonErased:
        return [turn.reply(ERASED_MEANWHILE)]
    turn.committed_as(turn.reply(f"Noted as #{narration.ordinal}."))
    lines = [f"Noted as #{narration.ordinal}."]
    # What the map, a profile and the App Home would show of it: subjects, not the words kept
    # for matching only ("latest", "wrong": ``shows_a_subject``). Not ``common_to_most``: that
    # is the workspace's, and a profile lists what most narrate about too.
    if subjects := [topic for topic in topics if shows_a_subject(topic)]:
        lines[0] += " Topics: " + ", ".join(subjects[:5]) + "."
    buttons: tuple[Button, ...] = ()
    if audience == Audience.ONLY_ME or (
        audience == Audience.CHANNEL and turn.event.channel.kind == ChannelKind.DIRECT
    ):
        lines.append(
            "Only you can see it. To let colleagues find you through it: "
            f"/narrate share {narration.ordinal}"
        )
        buttons = (share_button(narration.ordinal, narration.created_at),)
    elif turn.event.channel.kind == ChannelKind.PRIVATE:
        lines.append(f"Only members of {shown(turn.event.channel.name)} can see it.")
    if welcome:
        lines.append(welcome)
    if hint:
        lines.append(hint)
    reply = turn.reply("\n".join(lines), buttons=buttons)
    turn.committed_as(reply)
    # Imported here: it reads who_knows, which imports this module.
    from .blocker_help import with_help

    return [await with_help(turn, reply, text, tenant_id=tenant.id, person_id=person.id)]


KEEP_LABEL = "Keep as a narration"


def offer_to_keep(turn: Turn, command: Command) -> list[Reply]:
    """A command that didn't parse ("follow kafka", "timezone Europe Berlin"): nothing is kept.

    The reply says what does the job, quotes the words back, and offers to keep them as written
    (a button, or ``/narrate note <text>`` typed), so work that happened to start with a
    command's word is never lost, and a mistyped command is never published to the channel.
    """
    text = " ".join(clean_text(command.arg).split())
    keep = f"/narrate {KEEP} {text}"
    hint = command.hint or "/narrate help lists what I can do."
    lines = [hint, "I didn't keep this:", quoted(text), _keep_line(keep)]
    return [turn.reply("\n".join(lines), buttons=_buttons(Button(label=KEEP_LABEL, command=keep)))]


def keep_offer(text: str) -> tuple[str, tuple[Button, ...]]:
    """The line and button that keep ``text`` as a narration, as written: added to an answer
    that kept nothing though the words may have been an update (a DM read as a request)."""
    keep = f"/narrate {KEEP} {' '.join(clean_text(text).split())}"
    return _keep_line(keep), _buttons(Button(label=KEEP_LABEL, command=keep))


def _keep_line(keep: str) -> str:
    if len(keep) > BUTTON_COMMAND_CHARS:
        return f"To keep it as a narration, as written, send {keep}"
    return f"To keep it as a narration, as written: press “{KEEP_LABEL}”, or send {keep}"


def _buttons(*buttons: Button) -> tuple[Button, ...]:
    """Only buttons whose command a platform carries whole (replies.BUTTON_COMMAND_CHARS)."""
    return tuple(button for button in buttons if len(button.command) <= BUTTON_COMMAND_CHARS)


async def offer_edit(turn: Turn, command: Command) -> list[Reply]:
    """``edit 2 docs pages for the launch`` written to the bot: maybe an edit, maybe work that
    starts with the word. Nothing changes until the person picks: replacing #2 (the button runs
    ``/narrate edit 2 <text>``, the explicit command) or keeping the words as a new narration.
    ``/narrate edit`` typed as a command is explicit and applies at once (``edit``)."""
    assert command.ordinal is not None
    ordinal, text = command.ordinal, clean_text(command.arg)
    said = f"edit {ordinal} {text}"
    if not text:
        return await edit(turn, command)  # asks what #n should say; changes nothing
    async with turn.db.transaction() as session:
        narration = await _own(turn, session, ordinal)
        current = narration.text if narration is not None else None
    if narration is None or narration.id is None or current is None:
        hint = f"You have no narration #{ordinal} to edit; /narrate mine lists yours."
        return offer_to_keep(turn, Command("unparsed", arg=said, hint=hint))
    replace = f"/narrate edit {ordinal} {text}"
    label = f"Replace #{ordinal} with this"
    keep = f"/narrate {KEEP} {said}"
    lines = [
        f"Did you mean to change #{ordinal}? It stays as it is until you choose. It says:",
        quoted(snippet(current)),
        "Your message:",
        quoted(text),
        (
            f"To replace #{ordinal} with it: press “{label}”, or send {replace}"
            if len(replace) <= BUTTON_COMMAND_CHARS
            else f"To replace #{ordinal} with it, send {replace}"
        ),
        _keep_line(keep),
    ]
    buttons = _buttons(Button(label=label, command=replace), Button(label=KEEP_LABEL, command=keep))
    # Shows #n's words: kept past a rate limit, it goes as it is only while #n is unchanged
    # (``Reply.if_kept``); the buttons still choose.
    held = (
        Shown(
            narration_id=narration.id,
            edited_at=narration.edited_at,
            created_at=narration.created_at,
            author_id=narration.person_id,
        ),
    )
    note = EDIT_HELD_BACK.format(ordinal=ordinal)
    reply = turn.reply("\n".join(lines), buttons=buttons)
    return [reply.model_copy(update={"if_kept": note, "shown": held})]


async def list_mine(turn: Turn, arg: str = "") -> list[Reply]:
    """Your latest narrations; with words, a date range or ``since <date>``, the ones that
    match, among all of yours (DMs and "Only me" ones too: the reply is yours alone)."""
    async with turn.reading() as session:
        person = await turn.known_person(session)
        calendar = await turn.calendar(session)
        try:
            asked = _mine_request(arg, calendar)
        except ValueError as problem:
            return [turn.reply(str(problem))]
        if person is None or person.id is None:
            rows, total = [], 0
        elif asked is None:
            rows = await repo.recent_narrations(session, person_id=person.id, limit=MINE_LIMIT)
            total = len(rows)
        else:
            rows, total = await own_narrations(
                session,
                person_id=person.id,
                dialect=turn.db.dialect,
                search=asked.search,
                limit=MINE_LIMIT,
            )
        anything = bool(rows) or (
            person is not None
            and person.id is not None
            and bool(await repo.recent_narrations(session, person_id=person.id, limit=1))
        )
    if not anything:
        return [turn.reply("You haven't narrated anything yet. Try /narrate <what you're on>.")]
    if asked is not None and not rows:
        return [
            turn.reply(
                f"None of your narrations {asked.label}. /narrate mine lists your latest; "
                "/narrate mine <words> searches all of yours, "
                "/narrate mine since <date> or <date>..<date> by date."
            )
        ]
    plural = "s" if len(rows) != 1 else ""
    if asked is None:
        lines = [f"Your last {len(rows)} narration{plural}:"]
    elif total > len(rows):
        lines = [f"{total} of your narrations {asked.label}; the newest {len(rows)}:"]
    else:
        lines = [f"Your narration{plural} {asked.label}:"]
    for narration, channel in rows:
        where = "a DM" if channel.kind == ChannelKind.DIRECT.value else shown(channel.name)
        edited = " (edited)" if narration.edited_at else ""
        lines.append(
            f"#{narration.ordinal}  {calendar.dated(narration.created_at)}  {where}  "
            f"{snippet(narration.text)}{edited}"
        )
    first = rows[0][0].ordinal  # a real number from the list, not "<id>" to decode
    lines.append(
        f"Change one with /narrate edit {first} <text>, or remove it with /narrate delete "
        f"{first} (the number before it)."
    )
    # Shows narrations: kept past a rate limit, it goes as it is only while each of them still
    # holds (``Reply.if_kept``).
    held = tuple(
        Shown(
            narration_id=n.id, edited_at=n.edited_at, created_at=n.created_at, author_id=n.person_id
        )
        for n, _ in rows
        if n.id is not None
    )
    reply = turn.reply("\n".join(lines))
    return [reply.model_copy(update={"if_kept": HELD_BACK, "shown": held})]


@dataclass(frozen=True)
class _MineRequest:
    search: OwnSearch
    label: str  # "matching “kafka” since 2026-11-01", after "your narrations"


_RANGE = re.compile(r"^(\S+?)\.\.(\S+)$")


def _mine_request(arg: str, calendar: Calendar) -> _MineRequest | None:
    """``kafka``, ``kafka since 2026-11-01``, ``2026-11-01..2026-11-20``, ``since friday``.
    ``ValueError`` with what to type when there is nothing to search by."""
    tokens = arg.split()
    if not tokens:
        return None
    since: date | None = None
    last: date | None = None
    lowered = [token.lower() for token in tokens]
    if "since" in lowered:
        at = lowered.index("since")
        since = _past_day(" ".join(tokens[at + 1 :]), calendar)
        tokens = tokens[:at]
    elif ranged := [t for t in tokens if _RANGE.match(t)]:
        match = _RANGE.match(ranged[0])
        assert match is not None
        since, last = (_past_day(part, calendar) for part in match.groups())
        if last < since:
            raise ValueError("That range ends before it starts; write the earlier date first.")
        tokens = [t for t in tokens if t != ranged[0]]
    elif len(tokens) == 1 and _ISO_DAY.match(tokens[0]):
        since = last = _past_day(tokens[0], calendar)
        tokens = []
    typed = " ".join(tokens)
    words = query_terms(typed)
    if typed and not words:
        raise ValueError(
            f"“{snippet(typed, 40)}” has no words I can search for. Try /narrate mine kafka, "
            "/narrate mine since 2026-11-01 or /narrate mine 2026-11-01..2026-11-20."
        )
    labels = [f"matching “{snippet(typed, 40)}”"] if words else []
    if since is not None and last is None:
        labels.append(f"since {since.isoformat()}")
    elif since is not None and last == since:
        labels.append(f"on {since.isoformat()}")
    elif since is not None and last is not None:
        labels.append(f"from {since.isoformat()} to {last.isoformat()}")
    return _MineRequest(
        OwnSearch(
            words=words,
            since=_start_of(since, calendar) if since is not None else None,
            before=_start_of(last + timedelta(days=1), calendar) if last is not None else None,
        ),
        " ".join(labels),
    )


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# Days a search can name: 9999-12-31 (whose next midnight is past ``date.max``) or 0001-01-01
# east of UTC (before ``datetime.min`` in UTC) can't even be turned into moments.
FIRST_SEARCH_DAY = date(1970, 1, 1)
SEARCH_DAYS_AHEAD = 365


def _past_day(text: str, calendar: Calendar) -> date:
    if not text.strip():
        raise ValueError("Since when? For example /narrate mine since 2026-11-01.")
    usage = (
        "Use YYYY-MM-DD, for example /narrate mine since 2026-11-01 "
        "or /narrate mine 2026-11-01..2026-11-20."
    )
    try:
        day = read_day(text, calendar.today, past=True)
    except ValueError as problem:
        raise ValueError(f"{problem} {usage}") from None
    last = calendar.today + timedelta(days=SEARCH_DAYS_AHEAD)
    if not FIRST_SEARCH_DAY <= day <= last:
        raise ValueError(
            f"I search days from {FIRST_SEARCH_DAY.isoformat()} to {last.isoformat()}; "
            f"{day.isoformat()} is outside that. {usage}"
        )
    return day


def _start_of(day: date, calendar: Calendar) -> datetime:
    """Midnight of ``day`` on the reader's calendar, as the UTC moment narrations are kept in."""
    return datetime.combine(day, time(0), tzinfo=calendar.zone).astimezone(UTC)


async def _own(turn: Turn, session: Session, ordinal: int) -> Narration | None:
    """The actor's own narration with that short id; ids are per person, so nobody else's."""
    person = await turn.known_person(session)
    if person is None or person.id is None:
        return None
    return await repo.narration_by_ordinal(session, person_id=person.id, ordinal=ordinal)


def _missing(ordinal: int) -> str:
    return (
        f"You have no narration #{ordinal}. /narrate mine lists yours; you can only change "
        "your own."
    )


async def edit(turn: Turn, command: Command) -> list[Reply]:
    assert command.ordinal is not None
    text = clean_text(command.arg)
    if not text:
        async with turn.reading() as session:
            if await _own(turn, session, command.ordinal) is None:
                # Asking for the new words of a narration that isn't theirs (or doesn't exist)
                # would only fail once they had typed them.
                return [turn.reply(_missing(command.ordinal))]
        return [
            turn.reply(
                f"What should #{command.ordinal} say? /narrate edit {command.ordinal} <new text> "
                "(it stays as it is until then)"
            )
        ]
    if problem := _too_long(turn, text):
        return [turn.reply(problem.replace("Nothing was saved.", "Your narration is unchanged."))]
    async with turn.db.transaction() as session:
        narration = await _own(turn, session, command.ordinal)
        if narration is None:
            return [turn.reply(_missing(command.ordinal))]
        assert narration.id is not None
        said = _said_before(narration.text)
        # The messages quoting it (a followed-topics DM) will quote the new words, in place of
        # the words they show (an older replica's edit may have left them behind).
        quoted = await copy_edits.quoted_text(session, narration_id=narration.id)
        copies = await narration_copies.edited(
            session,
            narration_id=narration.id,
            old=narration.text if quoted is None else quoted,
            new=text,
            now=turn.now,
        )
        await repo.edit_narration(
            session,
            narration=narration,
            text=text,
            topics=extract_topics(text),
            now=turn.now,
            dialect=turn.db.dialect,
        )
        assert narration.id is not None
        narration_id = narration.id
        # After the narration's update, whose trigger made its post due (migration 0044): this
        # edit edits the post itself, so the scheduler's repair leaves it alone meanwhile.
        await session.flush()
        leased = await update_post_resync.lease(
            session, narration_id=narration_id, until=turn.now + update_posts.RESYNC_LEASE
        )
        # The trigger kept the words the quotes showed: they show the new ones already.
        await copy_edits.clear(session, narration_id=narration_id)
    turn.committed_as(turn.reply(f"Updated #{command.ordinal}.{update_posts.UNCHECKED_EDIT}{said}"))
    scrubbed = await _clear_traces(turn)
    told = await update_posts.edited(turn, narration_id=narration_id, text=text, leased=leased)
    told += narration_copies.unedited(
        await narration_copies.sync(turn.db, turn.gateways, now=turn.now, copy_ids=copies)
    )
    return [turn.reply(f"Updated #{command.ordinal}.{told}{scrubbed}{said}")]


def _said_before(old: str) -> str:
    """The words an edit replaced, quoted in its reply: nothing else keeps them, so a slip
    ("/narrate edit 1 🚀" meant for another message) can be put back by copying them."""
    return f"\nIt said: “{old}”"


async def delete(turn: Turn, command: Command) -> list[Reply]:
    assert command.ordinal is not None
    async with turn.db.transaction() as session:
        narration = await _own(turn, session, command.ordinal)
        if narration is None:
            return [turn.reply(_missing(command.ordinal))]
        assert narration.id is not None
        posted = await update_post_repo.find(session, narration_id=narration.id)  # goes with it
        # Its lines in messages quoting it (a followed-topics DM) say it was removed.
        copies = await narration_copies.removed(session, narration_ids=[narration.id], now=turn.now)
        await repo.delete_narration(session, narration=narration, dialect=turn.db.dialect)
    # The delete has committed: what follows is told, never raised. Raised, it would reach the
    # adapter's retry, which finds no #n and leaves the post in the thread with nothing to
    # find it by (its row went with the narration).
    unchecked = update_posts.UNCHECKED_DELETE if posted is not None else ""
    turn.committed_as(
        turn.reply(f"Deleted #{command.ordinal}. It's gone from search too.{unchecked}")
    )
    told = await update_posts.removed_with(
        turn, update_post_repo.ref(posted) if posted is not None else None
    )
    told += narration_copies.unedited(
        await narration_copies.sync(turn.db, turn.gateways, now=turn.now, copy_ids=copies)
    )
    scrubbed = await _clear_traces(turn)
    return [turn.reply(f"Deleted #{command.ordinal}. It's gone from search too.{told}{scrubbed}")]


async def _clear_traces(turn: Turn) -> str:
    """``privacy.clear_traces`` after an edit or delete committed; a failure (the database
    locked by another process, say) is told, not raised: the change stands, search no longer
    finds the old words, and the next scrub (or start) removes what is left."""
    try:
        await privacy.clear_traces(turn.db)
    except Exception as problem:  # noqa: BLE001 - the change has committed either way
        log.warning("clearing an edit's or delete's traces failed: %s", type(problem).__name__)
        return (
            " I couldn't finish wiping the old words from the search index's storage just "
            "now; my next clean-up does."
        )
    return ""


async def share(turn: Turn, command: Command, *, shared: bool) -> list[Reply]:
    assert command.ordinal is not None
    if not shared:
        return await unshare(turn, command.ordinal)
    async with turn.db.transaction() as session:
        narration = await _own(turn, session, command.ordinal)
        if narration is None or _another(narration, command.arg):
            return [turn.reply(_missing(command.ordinal))]
        if narration.audience != Audience.TENANT.value:
            narration.audience_before_sharing = narration.audience
            narration.audience = Audience.TENANT.value
            session.add(narration)
    return [turn.reply(f"#{command.ordinal} is now visible to everyone in this workspace.")]


def _another(narration: Narration, arg: str) -> bool:
    """A share button's narration was written at another moment: it was erased since (with a
    forget-me) and the same short id now names a newer narration."""
    word, _, stamp = arg.partition(" ")
    return word == WRITTEN and stamp.strip() != _stamp(narration.created_at)


# Sources that could carry the author's choice of audience ("Only me" among them). A narration
# typed as a command, a DM or a prompt reply always started as its channel's.
_CHOSEN = {Source.FORM.value, Source.SHORTCUT.value}


def _before_sharing(narration: Narration, channel: Channel) -> Audience:
    """The audience a shared narration goes back to: the one it had before ``share``. A
    narration shared before that was kept (or written for the workspace in a form) falls to a
    rule that may only narrow (ADR 0004): written in a DM, or where the author could have picked
    "Only me", it goes back to its author alone; otherwise to its channel's readers."""
    if narration.audience_before_sharing in {Audience.CHANNEL.value, Audience.ONLY_ME.value}:
        return Audience(narration.audience_before_sharing)
    if channel.kind == ChannelKind.DIRECT.value or narration.source in _CHOSEN:
        return Audience.ONLY_ME
    return Audience.CHANNEL


def _readers(audience: str, channel: Channel) -> str:
    if audience == Audience.ONLY_ME.value or channel.kind == ChannelKind.DIRECT.value:
        return "only to you"
    if channel.kind == ChannelKind.PRIVATE.value:
        return f"only to members of {shown(channel.name)}"
    return f"where you wrote it, {shown(channel.name)}"


async def unshare(turn: Turn, ordinal: int) -> list[Reply]:
    """Undo a ``share``, never more: a narration not shared with the workspace stays as it is,
    so unsharing an "Only me" note can't hand it to its channel."""
    async with turn.db.transaction() as session:
        narration = await _own(turn, session, ordinal)
        if narration is None:
            return [turn.reply(_missing(ordinal))]
        channel = await session.get(Channel, narration.channel_pk)
        assert channel is not None
        if narration.audience != Audience.TENANT.value:
            readers = _readers(narration.audience, channel)
            return [
                turn.reply(
                    f"#{ordinal} isn't shared with the workspace, so there's nothing to undo: "
                    f"it stays visible {readers}."
                )
            ]
        remembered = narration.audience_before_sharing is not None
        narration.audience = _before_sharing(narration, channel).value
        narration.audience_before_sharing = None
        session.add(narration)
        await session.flush()
        assert narration.id is not None
        # A followed-topics DM quoting it to someone who may no longer read it loses the line.
        copies = await narration_copies.unshared(session, narration_id=narration.id, now=turn.now)
        # Dealt with, unless an older replica's edit left the quotes' words behind before.
        await copy_edits.clear(session, narration_id=narration.id, only_if=narration.text)
        # Its post in a prompt's thread (a form update) is the channel's to read: taken back.
        posted = None
        if narration.audience == Audience.ONLY_ME.value:
            posted = await update_post_repo.withdraw(
                session, narration_id=narration.id, tenant_id=narration.tenant_id
            )
    text = f"#{ordinal} is no longer shared: it's visible {_readers(narration.audience, channel)}."
    if not remembered and narration.source in _CHOSEN and channel.kind != ChannelKind.DIRECT.value:
        text += (
            f" I don't know whether it was for {shown(channel.name)} or only for you before you "
            f"shared it, so I chose only you. /narrate share {ordinal} shares it again."
        )
    where = shown(channel.name)
    withdrawing = update_posts.withdrawing(where) if posted and posted.message_id else ""
    turn.committed_as(turn.reply(text + withdrawing))
    text += await update_posts.withdrawn(turn, posted, where=where)
    text += narration_copies.unedited(
        await narration_copies.sync(turn.db, turn.gateways, now=turn.now, copy_ids=copies)
    )
    return [turn.reply(text)]
