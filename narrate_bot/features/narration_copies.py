"""Messages the bot posted that quote narrations follow the narrations' edits and deletes.

The weekly followed-topics DM quotes each narration it lists ("@alice: “kafka rebalancing …”"),
and a who-knows answer each narration it shows as evidence (``answer_copies``).
A narration's ``/narrate delete``, its author's forget-me, and an ``unshare`` after which the
DM's reader may no longer read it turn its line into ``REMOVED``; ``/narrate edit`` rewrites the
quote to the new words for readers who may still read it (for the others it is ``REMOVED``: the
new words may say anything). A reader's own forget-me first empties the messages sent to them
(``FORGOTTEN``): once they are forgotten, nothing would let a later delete reach them.
As for the form update's post in a prompt's thread (ADR 0012), the change commits first, with
what each message is to say now (``storage.narration_copies``), and the platform is asked after:
at once, and again by the scheduler's every wake-up until it confirms, waiting twice as long
each time (``backoff``). A refusal that stays until someone changes something (``CannotEdit``:
Slack's ``cant_update_message``, the app removed from the channel, Discord's Missing Access) is
logged once per message, then tried weekly (``REFUSED_WAIT``), and at once when the bot is
added to its channel again (a who-knows answer posted there). A message is edited, never
deleted: the DM is in the reader's own
conversation, and its other lines stay theirs.

The wake-up's edits run after its prompts went out, and start no edit after ``BUDGET_SECONDS``
(an edit taking longer than that is cut off and tried again later: editing to the same words is
idempotent): with the platform slow, the rest waits for the next wake-up instead of holding
back every workspace's prompts.

A replica still running the code from before these messages were kept (migration 0034) deletes
narrations without a word to them: a trigger keeps each line the delete took away
(``NarrationCopyGone``, migration 0037), and the wake-up turns it into ``REMOVED`` in the kept
message, which is then edited like any other, with the same back-off. Likewise a replica from
before migration 0047 edits or unshares narrations without rewriting their quotes: a trigger
keeps the text the quotes still show (``NarrationCopyEdit``), and the wake-up rewrites the lines
to the current words, or removes them where their reader may no longer read the narration,
exactly as this version's edit does (``_change``).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from ..events import Platform, TenantRef
from ..ports import CannotEdit, ChatGateway
from ..replies import Post
from ..storage import narration_copies as store
from ..storage import narration_copy_edits as copy_edits
from ..storage import repositories as repo
from ..storage.copy_tables import FOLLOW_DIGEST, WHO_KNOWS
from ..storage.database import Database, Session
from ..storage.tables import Narration, Person, Tenant

# ``narrate`` calls this module on its edits and deletes: its ``snippet`` is looked up when used.
from . import narrate
from .repair_pace import BUDGET_SECONDS as BUDGET_SECONDS  # the wake-up's, patchable
from .repair_pace import REFUSED_WAIT, Outcome, backoff, run_due

log = logging.getLogger(__name__)
_T = TypeVar("_T")

# What a quoted narration's line says once its author deleted it (or the reader may no longer
# read it): the message's other lines keep their places.
REMOVED = "   • (removed by its author)"
# A who-knows answer's person with none of their evidence left: their line named them (and
# their team) as knowing about it, on the strength of what is gone.
PERSON_REMOVED = "{number}. (removed by its author)"
# What a message sent to a reader says once they asked to be forgotten: nothing it quoted,
# nor the topics it answered or listed (theirs), nor whom it named.
FORGOTTEN = "(Removed: you asked me to forget you, so this message shows nothing any more.)"
_PERSON_LINE = re.compile(r"^(\d+)\. <@")
QUOTED = 120  # the characters of a narration a digest's line quotes
BATCH = 50  # messages edited per wake-up; more wait for the next one
LEASE = timedelta(minutes=2)  # a try under way, for another replica


def _where(tenant: Tenant) -> TenantRef:
    return TenantRef(
        platform=Platform(tenant.platform), tenant_id=tenant.external_id, name=tenant.name
    )


async def keep(
    db: Database,
    *,
    tenant_id: int,
    person_id: int,
    message_id: str,
    post: Post,
    quotes: Sequence[tuple[int, str]],
    now: datetime,
) -> None:
    """Note a follow digest just posted and which narration each of its lines quotes. A
    narration deleted, edited or unshared while the DM went out has its line removed or
    rewritten, and the DM is due at once (``held_as_now``, as a who-knows answer's); one whose
    reader was forgotten meanwhile is to say ``FORGOTTEN``. Never raises: the DM is out, and a
    failure here is logged (its lines then can't be found)."""

    async def digest(session: Session) -> None:
        if not await repo.hold_person(session, person_id=person_id):
            # The reader was forgotten while it went out, their DMs emptied before this one
            # was kept: it is emptied too (``reader_forgotten``), kept with no reader only
            # until the platform has that edit.
            after = Post(text=FORGOTTEN, to_users=post.to_users)
            await store.keep(
                session,
                tenant_id=tenant_id,
                person_id=None,
                kind=FOLLOW_DIGEST,
                message_id=message_id,
                post=after.model_dump_json(),
                now=now,
                quotes=[],
                due_at=now,
            )
            return
        reader = await session.get(Person, person_id)
        assert reader is not None
        shown, kept = await held_as_now(
            session,
            tenant_id=tenant_id,
            post=post,
            quotes=quotes,
            kind=FOLLOW_DIGEST,
            reader_user_id=reader.user_id,
        )
        await store.keep(
            session,
            tenant_id=tenant_id,
            person_id=person_id,
            kind=FOLLOW_DIGEST,
            message_id=message_id,
            post=shown.model_dump_json(),
            now=now,
            quotes=kept,
            due_at=now if shown.text != post.text else None,
        )

    await kept_once(db, digest, what="a follow digest")


async def kept_once(
    db: Database, keeping: Callable[[Session], Awaitable[_T]], *, what: str
) -> _T | None:
    """Run ``keeping`` (a posted message's record, written through ``held_as_now``) in a
    transaction: what it returns, or ``None`` when it failed (logged, ``what`` naming the
    message). A quoted narration deleted by another request between its read and the insert
    (PostgreSQL: the insert fails its foreign key) makes it run once more, where that
    narration's line is removed at once. Never raises: the message is out."""
    for last in (False, True):
        try:
            async with db.transaction() as session:
                return await keeping(session)
        except Exception as problem:
            if not last and store.quoted_one_gone(problem):
                continue
            log.warning("keeping %s's quotes failed: %s", what, type(problem).__name__)
            return None
    return None


async def held_as_now(
    session: Session,
    *,
    tenant_id: int,
    post: Post,
    quotes: Sequence[tuple[int, str]],
    kind: str,
    reader_user_id: str | None = None,
    channel_pk: int | None = None,
) -> tuple[Post, list[tuple[int, str]]]:
    """``post`` (a message just posted, quoting each narration of ``quotes`` on its line) as
    it is to read now, and the quotes it keeps: a line whose narration is gone, or which its
    reader (``reader_user_id``, or everyone in ``channel_pk``) may no longer read, removed; an
    edited one's quote rewritten. The quoted narrations are held first until the transaction
    ends (``store.hold_quoted``; the caller holds a DM's reader's person before, as an erasure
    takes them): a delete, edit or unshare under way commits before the read here, and one
    that comes later waits for the record and then finds its quotes. Read unheld (PostgreSQL),
    a change committed between this read and the insert found no quote yet, and the message
    kept the old words for good."""
    await store.hold_quoted(session, narration_ids=[i for i, _ in quotes])
    shown = post
    removed: list[str] = []
    kept: list[tuple[int, str]] = []
    for narration_id, line in quotes:
        narration = await session.get(Narration, narration_id)
        if narration is None or narration.tenant_id != tenant_id:
            removed.append(line)
            continue
        readable = (
            await store.readable(
                session, narration_id=narration_id, tenant_id=tenant_id, user_id=reader_user_id
            )
            if reader_user_id is not None
            else channel_pk is not None
            and await store.readable_in(session, narration_id=narration_id, channel_pk=channel_pk)
        )
        if not readable:
            removed.append(line)
            continue
        now_line = _current(line, narration.text)
        if now_line != line:
            lines = [now_line if x == line else x for x in shown.text.split("\n")]
            shown = shown.model_copy(update={"text": "\n".join(lines)})
        kept.append((narration_id, now_line))
    if removed:
        shown = _without(shown, removed, kind=kind)
    return shown, kept


def _current(line: str, text: str) -> str:
    """``line`` quoting ``text`` as it reads now: the quote rewritten after an edit made while
    the message went out (the line's own snippet is the one the message was built with)."""
    start, end = line.find("“"), line.rfind("” (")
    if start < 0 or end < start:
        return line
    now = f"“{narrate.snippet(text, QUOTED)}”"
    return line[:start] + now + line[end + 1 :]


def _without(post: Post, lines: Sequence[str], *, kind: str = FOLLOW_DIGEST) -> Post:
    """``post`` with each of ``lines`` said to be removed, and the names nobody is named by. In
    a who-knows answer (``kind``), a person whose every evidence line is removed is too."""
    kept = [REMOVED if line in lines else line for line in post.text.split("\n")]
    if kind == WHO_KNOWS:
        kept = _people_without_evidence(kept)
    return _named(post, "\n".join(kept))


def _people_without_evidence(lines: list[str]) -> list[str]:
    """A who-knows answer's lines, each person's ("2. <@U1>: narrated about kafka …") followed
    by their evidence; a person all of whose evidence is removed becomes one removed line."""
    out: list[str] = []
    at = 0
    while at < len(lines):
        person = _PERSON_LINE.match(lines[at])
        end = at + 1
        while end < len(lines) and lines[end].startswith("   • "):
            end += 1
        evidence = lines[at + 1 : end]
        if person is not None and evidence and all(line == REMOVED for line in evidence):
            out.append(PERSON_REMOVED.format(number=person.group(1)))
        else:
            out.extend(lines[at:end])
        at = end
    return out


def _named(post: Post, text: str) -> Post:
    names = {user: name for user, name in post.names.items() if f"<@{user}>" in text}
    return post.model_copy(update={"text": text, "names": names})


async def removed(session: Session, *, narration_ids: Sequence[int], now: datetime) -> list[int]:
    """In the transaction that deletes these narrations (or erases their author), before they
    go: their lines in messages become ``REMOVED``. The messages to edit, once committed."""
    return await _change(session, narration_ids=narration_ids, now=now, text=None)


async def edited(
    session: Session, *, narration_id: int, old: str, new: str, now: datetime
) -> list[int]:
    """In an edit's transaction: its quotes say the new words (as long a snippet as before),
    to readers who may still read it; a message whose reader may not has its line removed."""
    return await _change(session, narration_ids=[narration_id], now=now, text=(old, new))


async def unshared(session: Session, *, narration_id: int, now: datetime) -> list[int]:
    """After an unshare, in its transaction: a message whose reader may no longer read the
    narration has its line removed (one who still may, as a channel's member, keeps it). A
    who-knows answer in a channel is read by everyone there: it keeps the line only if the
    channel may still read it."""
    changed: list[int] = []
    for found in await store.quoting(session, narration_ids=[narration_id]):
        if await _still_readable(session, found, narration_id=narration_id):
            continue
        changed += await _rewrite(session, found, narration_id=narration_id, now=now, text=None)
    return changed


async def _still_readable(session: Session, found: store.Quoting, *, narration_id: int) -> bool:
    if found.reader is not None:
        return await store.readable(
            session,
            narration_id=narration_id,
            tenant_id=found.reader.tenant_id,
            user_id=found.reader.user_id,
        )
    if found.copy.reader_user_id is not None:
        return await store.readable(
            session,
            narration_id=narration_id,
            tenant_id=found.copy.tenant_id,
            user_id=found.copy.reader_user_id,
        )
    if found.copy.channel_pk is not None:
        return await store.readable_in(
            session, narration_id=narration_id, channel_pk=found.copy.channel_pk
        )
    return False  # a reader no longer known: nobody it could still be for


async def reader_forgotten(
    session: Session, *, tenant_id: int, person_id: int | None, user_id: str, now: datetime
) -> list[int]:
    """In a reader's forget-me, before their rows go: each message sent to them (followed-topics
    DMs, who-knows answers by DM) is to say ``FORGOTTEN`` alone, and names no reader. Kept
    until the platform has that edit (tried at once, then by the wake-up's back-off), then
    gone; a narration deleted later has nothing left in it to reach. Meanwhile the row keeps
    only what the edit needs: the DM's user id (the platform opens the DM by it) and the
    message's id, not the topics they asked about or followed, nor whom it named. The
    messages to edit, once committed."""
    changed: list[int] = []
    for copy, _ in await store.to_empty(
        session, tenant_id=tenant_id, person_id=person_id, user_id=user_id
    ):
        assert copy.id is not None
        # Their DM (a reader's messages are DMs): the one thing the edit can't do without.
        after = Post(text=FORGOTTEN, to_users=Post.model_validate_json(copy.post).to_users)
        await store.emptied(session, copy_id=copy.id, post=after.model_dump_json(), now=now)
        changed.append(copy.id)
    return changed


async def _change(
    session: Session,
    *,
    narration_ids: Sequence[int],
    now: datetime,
    text: tuple[str, str] | None,
) -> list[int]:
    changed: list[int] = []
    for narration_id in narration_ids:
        for found in await store.quoting(session, narration_ids=[narration_id]):
            # New words go only to readers who may still read the narration (one who left its
            # private channel, or a channel's answer after the source went private): for the
            # others the edit removes the line, as a delete would.
            now_text = text
            if text is not None and not await _still_readable(
                session, found, narration_id=narration_id
            ):
                now_text = None
            changed += await _rewrite(
                session, found, narration_id=narration_id, now=now, text=now_text
            )
    return changed


async def _rewrite(
    session: Session,
    found: store.Quoting,
    *,
    narration_id: int,
    now: datetime,
    text: tuple[str, str] | None,
) -> list[int]:
    copy = found.copy
    assert copy.id is not None
    post = Post.model_validate_json(copy.post)
    if text is None:
        line: str | None = None
        after = _without(post, [found.line], kind=copy.kind)
    else:
        old, new = text
        line = found.line.replace(
            f"“{narrate.snippet(old, QUOTED)}”", f"“{narrate.snippet(new, QUOTED)}”", 1
        )
        if line == found.line:
            return []
        lines = [line if x == found.line else x for x in post.text.split("\n")]
        after = _named(post, "\n".join(lines))
    await store.rewrite(
        session,
        copy_id=copy.id,
        post=after.model_dump_json(),
        narration_id=narration_id,
        line=line,
        now=now,
    )
    return [copy.id]


async def sync(
    db: Database,
    gateways: Mapping[Platform, ChatGateway],
    *,
    now: datetime,
    copy_ids: Sequence[int] | None = None,
    budget: float | None = None,
) -> int:
    """Edit the due messages (or only ``copy_ids``) to what they should say; how many stay
    behind (to be tried again). Never raises: the change that asked for it has committed.

    With a ``budget`` (the scheduler's wake-up: ``BUDGET_SECONDS``), no edit starts after that
    many seconds and one taking longer is cut off: what is left stays due for a later wake-up.
    """
    if copy_ids is not None and not copy_ids:
        return 0
    if copy_ids is None:
        await _removed_elsewhere(db, now=now)
        await _edited_elsewhere(db, now=now)
    platforms = [p.value for p in gateways]
    tally = await run_due(
        db,
        lambda session: store.due(
            session, now=now, platforms=platforms, limit=BATCH, copy_ids=copy_ids
        ),
        lambda item: _sync_one(db, gateways, item, now=now, within=budget),
        budget=budget,
        log=log,
        reading="reading messages to edit",
        working="editing a message that quotes narrations",
    )
    if tally is None:
        return len(copy_ids or ())
    return tally.stayed + tally.unreached


async def _removed_elsewhere(db: Database, *, now: datetime) -> None:
    """The lines of narrations an older replica deleted become ``REMOVED``, and their messages
    due. Never raises: what failed stays for the next wake-up."""
    try:
        async with db.snapshot() as session:
            found = await store.gone(session, limit=BATCH)
    except Exception as problem:
        log.warning("reading quotes of deleted narrations failed: %s", type(problem).__name__)
        return
    for copy_id, lines in found.items():
        try:
            async with db.transaction() as session:
                copy = await store.taken(session, copy_id=copy_id)
                if copy is None:
                    continue  # its reader went since, and the lines with it
                post = Post.model_validate_json(copy.post)
                after = _without(post, [line for _, line in lines], kind=copy.kind)
                await store.said_gone(
                    session,
                    copy_id=copy_id,
                    post=None if after == post else after.model_dump_json(),
                    narration_ids=[i for i, _ in lines],
                    now=now,
                )
        except Exception as problem:
            log.warning(
                "marking a deleted narration's quote removed failed: %s", type(problem).__name__
            )


async def _edited_elsewhere(db: Database, *, now: datetime) -> None:
    """The lines quoting narrations an older replica edited or unshared (``NarrationCopyEdit``,
    migration 0047) say the current words, or are removed where their reader may no longer read
    them, as this version's edit does; their messages due. Never raises: what failed stays for
    the next wake-up."""
    try:
        async with db.snapshot() as session:  # every wake-up asks: no write lock
            found = await copy_edits.pending(session, limit=BATCH)
    except Exception as problem:
        log.warning("reading quotes of edited narrations failed: %s", type(problem).__name__)
        return
    for narration_id, old in found:
        try:
            async with db.transaction() as session:
                if not await copy_edits.clear(session, narration_id=narration_id, only_if=old):
                    continue  # another replica, or this version's edit, dealt with it
                narration = await session.get(Narration, narration_id)
                if narration is None:
                    continue  # deleted since: its delete reached the lines
                await _change(
                    session, narration_ids=[narration_id], now=now, text=(old, narration.text)
                )
        except Exception as problem:
            log.warning("rewriting an edited narration's quotes failed: %s", type(problem).__name__)


async def _sync_one(
    db: Database,
    gateways: Mapping[Platform, ChatGateway],
    item: store.Due,
    *,
    now: datetime,
    within: float | None,
) -> Outcome:
    copy = item.copy
    assert copy.id is not None and copy.retry_at is not None
    async with db.transaction() as session:
        if not await store.take(session, copy_id=copy.id, seen=copy.retry_at, until=now + LEASE):
            return Outcome.PASSED  # another replica, or a change meanwhile that makes it due again
    gateway = gateways.get(Platform(item.tenant.platform))
    try:
        if gateway is None:
            raise LookupError("no gateway for this platform")
        # An edit slower than the whole budget is cut off (a TimeoutError, put off as any
        # failure): the same words again later change nothing if this one got through. One
        # started late runs to its end: a wake-up's edits stay within twice the budget.
        async with asyncio.timeout(within):
            await gateway.update(
                _where(item.tenant), copy.message_id, Post.model_validate_json(copy.post)
            )
    except CannotEdit as refusal:
        async with db.transaction() as session:
            first = await store.refused(
                session, copy_id=copy.id, at=now, retry_at=now + REFUSED_WAIT
            )
        if first:  # the platform's code only, never the message's words; once per message
            log.warning(
                "a message that quotes narrations can't be edited (%s): it keeps its old "
                "lines, tried again weekly",
                refusal.reason,
            )
        return Outcome.STAYED
    except Exception as problem:
        tries = copy.attempts + 1
        log.warning(
            "editing a message that quotes narrations failed (try %d): %s",
            tries,
            type(problem).__name__,
        )
        async with db.transaction() as session:
            await store.later(session, copy_id=copy.id, retry_at=now + backoff(tries))
        return Outcome.STAYED
    async with db.transaction() as session:
        await store.synced(session, copy_id=copy.id, post=copy.post)
    return Outcome.DONE


def unedited(stayed: int, *, it: str = "it") -> str:
    """What to tell someone whose change hasn't reached every message quoting ``it`` yet."""
    if not stayed:
        return ""
    if stayed == 1:
        return (
            f" A message I sent quoting {it} (a followed-topics digest or a who-knows answer) "
            "still shows the old words; I'll keep trying to edit it."
        )
    return (
        f" {stayed} messages I sent quoting {it} (followed-topics digests or who-knows answers) "
        "still show the old words; I'll keep trying to edit them."
    )


def unemptied(stayed: int) -> str:
    """What to tell someone forgotten whose own messages (``reader_forgotten``) still quote."""
    if not stayed:
        return ""
    if stayed == 1:
        return (
            " A message I sent you quoting others (a followed-topics digest or a who-knows "
            "answer) still shows their words; I'll keep trying to edit them out."
        )
    return (
        f" {stayed} messages I sent you quoting others (followed-topics digests or who-knows "
        "answers) still show their words; I'll keep trying to edit them out."
    )
