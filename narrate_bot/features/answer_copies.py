"""A posted who-knows answer follows the narrations it quotes.

"@narrate who knows about kafka?" is answered in the channel (the asking message's thread), for
everyone there, quoting up to 120 characters of each narration shown as evidence. The adapter
renders and posts that answer; the core learns the message's id only when the adapter reports
it (``Bot.reply_posted``), and keeps the answer then as a ``narration_copy``: from then on a
narration's ``/narrate delete``, its author's forget-me, and an ``unshare`` after which the
channel may no longer read it turn its line into "(removed by its author)", and ``/narrate
edit`` rewrites it, as for the followed-topics DM (``narration_copies``: committed first, the
platform asked at once and again on every wake-up, with the shared back-off).

Which answers are kept:

* In a channel: read by everyone there, so it has no one reader (``channel_pk``). Its asker
  isn't quoted or named in it: their forget-me leaves the record (the others' quotes stay
  tracked), as it leaves their question on the platform.
* In the asker's DM (asked in a DM, or a Discord mention's private part): a message like the
  followed-topics DM, kept with the asker as its reader (their person, or their user id when
  they never joined). Their forget-me first edits it to quote nothing, then forgets it.
* Ephemeral answers (Slack's ``chat.postEphemeral`` and ``response_url``, Discord's ephemeral
  interaction responses) are never reported: they show to the asker alone, who could read every
  quote when asking, they are gone on reload, and no API edits them later (Slack has none;
  Discord's interaction token lasts 15 minutes).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from ..events import TenantRef
from ..replies import Post, Reply
from ..storage import expertise_repo, privacy, who_knows_repo
from ..storage import narration_copies as store
from ..storage import repositories as repo
from ..storage.copy_tables import WHO_KNOWS
from ..storage.database import Database, Session
from ..storage.tables import Person
from . import expertise_prefs, profile_view
from .channels import known_tenant_id
from .narration_copies import held_as_now, kept_once

log = logging.getLogger(__name__)

# What a DM answer says when its asker may have been forgotten while it went out (``_keep``).
WITHDRAWN = "(This answer was withdrawn. Ask me again for an up-to-date one.)"


async def keep(
    db: Database, *, tenant: TenantRef, reply: Reply, post: Post, message_id: str, now: datetime
) -> int | None:
    """Note a who-knows answer the adapter posted as ``message_id`` (where ``post`` says, with
    ``reply``'s text): the id of its record when what it shows must be edited at once (a quoted
    narration was deleted, edited or unshared while it went out), else ``None``.

    A quoted narration deleted by another request between ``_keep``'s read and its insert
    (PostgreSQL: the insert fails its foreign key) makes it run once more, where that
    narration's line is removed at once.

    Never raises: the answer is out, and a failure here is logged (its quotes then stay)."""
    if not reply.quotes:
        return None
    return await kept_once(
        db,
        lambda session: _keep(
            session, tenant=tenant, reply=reply, post=post, message_id=message_id, now=now
        ),
        what="a who-knows answer",
    )


async def _keep(
    session: Session,
    *,
    tenant: TenantRef,
    reply: Reply,
    post: Post,
    message_id: str,
    now: datetime,
) -> int | None:
    tenant_id = await known_tenant_id(session, tenant)
    if tenant_id is None:
        return None
    reader: Person | None = None
    reader_user_id: str | None = None  # a DM's reader: its asker, whether or not they joined
    channel_pk: int | None = None
    if post.channel_id is not None:
        channel = await repo.find_channel(session, tenant_id=tenant_id, channel_id=post.channel_id)
        if channel is None or channel.id is None:
            return None  # gone with its workspace's channel: so is the message
        channel_pk = channel.id
    else:
        reader_user_id = post.to_users[0]
        reader = await repo.find_person(session, tenant_id=tenant_id, user_id=reader_user_id)
        if reader is None and not await _not_forgotten(
            session, tenant_id=tenant_id, user_id=reader_user_id, reply=reply
        ):
            # The asker's forget-me may have committed since the question was read (they had
            # no person then, or it is gone now): nothing may be kept under their user id, and
            # the DM may be a forgotten person's. It is withdrawn at once, kept (with no
            # reader) only until the platform has that edit.
            return await store.keep(
                session,
                tenant_id=tenant_id,
                person_id=None,
                kind=WHO_KNOWS,
                message_id=message_id,
                post=Post(text=WITHDRAWN, to_users=post.to_users).model_dump_json(),
                now=now,
                quotes=[],
                due_at=now,
            )
    if reader is not None and reader.id is not None:
        # Taken before the narrations, as an erasure takes them (its person, then their
        # narrations): an answer in someone's DM quoting their own words waits for their
        # forget-me, or it for the answer, never both at once.
        await repo.hold_person(session, person_id=reader.id)
    # The quoted narrations held while the answer is kept: an edit, delete or unshare under
    # way commits first and is read here, or waits for this to commit and then finds the quote.
    shown, quotes = await held_as_now(
        session,
        tenant_id=tenant_id,
        post=post.model_copy(update={"text": reply.text, "names": dict(reply.names)}),
        quotes=[(q.narration_id, q.line) for q in reply.quotes],
        kind=WHO_KNOWS,
        reader_user_id=reader_user_id,
        channel_pk=channel_pk,
    )
    changed = shown.text != reply.text
    return_id = await store.keep(
        session,
        tenant_id=tenant_id,
        person_id=reader.id if reader is not None else None,
        # Someone the bot keeps no person for: kept under their user id (their export and
        # forget-me find it by that).
        reader_user_id=reader_user_id if reader is None else None,
        channel_pk=channel_pk,
        kind=WHO_KNOWS,
        message_id=message_id,
        post=shown.model_dump_json(),
        now=now,
        quotes=quotes,
        due_at=now if changed else None,
    )
    return return_id if changed else None


async def may_keep_for(
    session: Session, *, tenant_id: int, user_id: str, replies: Sequence[Reply]
) -> bool:
    """Whether replies to ``user_id`` kept for later (``queued_replies``: a rate limit refused
    them) may be stored now, in this transaction: ``False`` when an answer among them quotes
    narrations and a forget-me of theirs committed since its question was read, checked as a
    posted answer's is (``_not_forgotten``). Stored anyway, the reply outlived the erasure,
    their user id and what it quoted in it, and went out later. Their user id is held
    (``privacy.hold_user_id``) either way, as their forget-me holds it first: one under way
    waits for what this stores and deletes it, or went first and is seen. Replies that quote
    nothing carry no mark; they are kept (a forget-me's own "Done" among them)."""
    for reply in replies:
        if reply.quotes:
            return await _not_forgotten(session, tenant_id=tenant_id, user_id=user_id, reply=reply)
    await privacy.share_user_id(session, tenant_id=tenant_id, user_id=user_id)
    return True


async def _not_forgotten(session: Session, *, tenant_id: int, user_id: str, reply: Reply) -> bool:
    """Hold the asker's user id (``privacy.hold_user_id``, as their forget-me does first) and
    say whether no forget-me of theirs committed since the question was read: none in the
    workspace at all (its erasure mark is as ``reply`` read it), or the answer's own record,
    kept under their user id while the mark was unchanged (``Reply.recorded_as``), is still
    there. Any forget-me of theirs deletes that record, so the one that moved the mark was
    someone else's: taking the workspace's mark alone, a never-joined asker's DM answer was
    withdrawn whenever anyone in the workspace was forgotten meanwhile, although the answer
    quoted nobody erased (a quoted person's erasure takes out their line alone,
    ``held_as_now``). Read under the hold, the record is as the last forget-me of the user id
    left it: one on another replica commits first, or waits for this answer and empties it.

    Without a record (the button left out: the question answered as the database was busy, or
    as a forget-me moved the mark) the mark decides alone, and withdraws in doubt."""
    if await privacy.hold_user_id(
        session, tenant_id=tenant_id, user_id=user_id, mark=reply.erasure_mark
    ):
        return True
    if reply.recorded_as is None:
        return False
    record = await who_knows_repo.find(session, tenant_id=tenant_id, token=reply.recorded_as)
    return record is not None and record.asker_user_id == user_id


# Said instead of a kept answer (held back while the platform refused to take it, then sent)
# when what it quotes has changed since: deleted, edited, or no longer readable where it goes.
ASK_AGAIN = (
    "I held an answer back while I was asked to slow down, and what it quoted has changed "
    "since. Ask me again for an up-to-date one."
)


async def still_holds(
    db: Database,
    *,
    tenant: TenantRef,
    reply: Reply,
    reader_user_id: str | None,
    channel_id: str | None,
    now: datetime,
) -> bool:
    """Whether every narration a kept ``reply`` quotes is still there, unedited, and readable
    by whom it now goes to (``reader_user_id``: the asker, for a DM or private answer; else
    everyone in ``channel_id``), read as ``held_as_now`` reads a posted answer's. An answer
    kept for an hour past a rate limit was sent as it was written: a narration deleted or
    edited meanwhile, or in a private channel its asker had left, went out as it read then
    (ADR 0004: leaving removes its evidence at once), and a quote in an ephemeral answer can
    never be edited after. The narrations it shows without quoting them (``Reply.shown``: a
    profile, "mine", who could help) are read by the same rule, their author reading their
    own anywhere; a private channel it names (``Shown.channel_pk``) must still be its
    reader's. The people it shows or names (``Reply.people``) are read by the rules the live
    reply applies at ``now`` (``_people_hold``): someone since gone, paused, no longer taking
    part or hidden from the question is not shown or named as they were."""
    if not reply.quotes and not reply.shown and not reply.people:
        return True
    async with db.snapshot() as session:
        tenant_id = await known_tenant_id(session, tenant)
        if tenant_id is None:
            return False
        channel_pk: int | None = None
        if reader_user_id is None:
            if channel_id is None:
                return False
            channel = await repo.find_channel(session, tenant_id=tenant_id, channel_id=channel_id)
            if channel is None or channel.id is None:
                return False
            channel_pk = channel.id
        if reply.shown and not await _shown_holds(
            session,
            tenant_id=tenant_id,
            reply=reply,
            reader_user_id=reader_user_id,
            channel_pk=channel_pk,
        ):
            return False
        if reply.people and not await _people_hold(
            session, tenant_id=tenant_id, reply=reply, reader_user_id=reader_user_id, now=now
        ):
            return False
        if not reply.quotes:
            return True
        shown, kept = await held_as_now(
            session,
            tenant_id=tenant_id,
            post=Post(text=reply.text, names=dict(reply.names), to_users=("-",)),
            quotes=[(q.narration_id, q.line) for q in reply.quotes],
            kind=WHO_KNOWS,
            reader_user_id=reader_user_id,
            channel_pk=channel_pk,
        )
        return shown.text == reply.text and len(kept) == len(reply.quotes)


async def _shown_holds(
    session: Session,
    *,
    tenant_id: int,
    reply: Reply,
    reader_user_id: str | None,
    channel_pk: int | None,
) -> bool:
    """Whether each narration of ``reply.shown`` is still there, as it was shown (not edited
    since), and readable where the reply goes: by its reader (their own, wherever written, or
    as every answer chooses) or by everyone in ``channel_pk``."""
    found = await repo.narrations_by_id(session, ids=[s.narration_id for s in reply.shown])
    authors = await repo.people_by_id(session, ids=[n.person_id for n in found.values()])
    for item in reply.shown:
        narration = found.get(item.narration_id)
        if narration is None or narration.tenant_id != tenant_id:
            return False
        if _utc(narration.edited_at) != _utc(item.edited_at):
            return False
        # Deleted, and its id given to a later narration (SQLite reuses the highest freed id).
        if item.author_id is not None and narration.person_id != item.author_id:
            return False
        if item.created_at is not None and _utc(narration.created_at) != _utc(item.created_at):
            return False
        author = authors.get(narration.person_id)
        if reader_user_id is not None:
            if author is not None and author.user_id == reader_user_id:
                continue
            readable = await store.readable(
                session, narration_id=item.narration_id, tenant_id=tenant_id, user_id=reader_user_id
            )
        else:
            readable = channel_pk is not None and await store.readable_in(
                session, narration_id=item.narration_id, channel_pk=channel_pk
            )
        if not readable:
            return False
        # A private channel it names: by name to its members alone (``written_where``).
        if item.channel_pk is not None and (
            reader_user_id is None
            or not await repo.is_member(session, channel_pk=item.channel_pk, user_id=reader_user_id)
        ):
            return False
    return True


async def _people_hold(
    session: Session, *, tenant_id: int, reply: Reply, reader_user_id: str | None, now: datetime
) -> bool:
    """Whether the live reply would still show or name each of ``reply.people`` as it did:
    someone named as who could help is still suggested and not hidden from the question (as
    ``who_knows.rank_experts`` ranks them for ``blocker_help``), someone on a topics map still
    suggested and not hidden from its topic by the map's rule (``Named.topic``), a profile's
    standing reads the same (``profile_view.standing``) and it shows the narrations its reader
    would be shown now (none written since)."""
    people = await repo.people_by_id(session, ids=[n.person_id for n in reply.people])
    asked = [n for n in reply.people if n.question is not None or n.topic is not None]
    suggested = await repo.suggestable_ids(session, ids=[n.person_id for n in asked], now=now)
    for named in reply.people:
        person = people.get(named.person_id)
        if person is None or person.tenant_id != tenant_id:
            return False
        if named.question is not None:
            if named.person_id not in suggested:
                return False
            chosen = await expertise_prefs.for_question(
                session, tenant_id=tenant_id, question=named.question
            )
            if named.person_id in chosen.hidden:
                return False
        if named.topic is not None:
            if named.person_id not in suggested:
                return False
            if await expertise_prefs.hidden_from_topic(
                session, person_id=named.person_id, topic=named.topic
            ):
                return False
        if named.profile is not None:
            ids = [s.narration_id for s in reply.shown]
            if reader_user_id is not None and ids != await _profile_rows(
                session, tenant_id=tenant_id, person=person, viewer=reader_user_id, own=named.own
            ):
                return False  # one written (or made readable to them) since, say
            about = await profile_view.standing(
                session, person=person, narration_ids=ids, own=named.own, now=now
            )
            if about is None or "\n".join(about) != named.profile:
                return False
    return True


async def _profile_rows(
    session: Session, *, tenant_id: int, person: Person, viewer: str, own: bool
) -> list[int]:
    """The narrations a live profile of ``person`` shows ``viewer`` now (``Reply.shown``), in
    its order: their own all of them, else what ``viewer`` may read."""
    assert person.id is not None
    if own:
        rows = await repo.recent_narrations(
            session, person_id=person.id, limit=profile_view.TOPIC_SAMPLE
        )
    else:
        rows = await expertise_repo.visible_narrations_of(
            session,
            tenant_id=tenant_id,
            person_id=person.id,
            viewer_user_id=viewer,
            limit=profile_view.TOPIC_SAMPLE,
        )
    return [n.id for n, _ in rows if n.id is not None]


def _utc(moment: datetime | None) -> datetime | None:
    """SQLite hands timestamps back naive (stored in UTC)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
