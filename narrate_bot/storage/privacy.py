"""Export and erasure of everything stored about one person.

Erasure walks every table that can hold a trace of the person, by their person row or by their
platform user id, so a new table must be added here (the forget-me test scans every table). The
one row that names them and stays is someone else's never-pair wish: its owner's data, neither
erased nor exported with the person it names (``_erase_by_user_id``).
"""

from __future__ import annotations

import json
import logging
import secrets
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, or_, text, update
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from . import (
    digest_copies,
    index_scrub,
    intro_privacy,
    last_places,
    pending_actions,
    question_nudges,
    schedules,
    update_posts,
)
from .copy_tables import FOLLOW_DIGEST, WHO_KNOWS
from .database import Database
from .follow_tables import FollowDigest, FollowSchedule
from .narration_copies import forget_reader, forget_reader_user, of_reader
from .platform_store import Installation
from .preference_tables import ASK_ME, FOLLOW, HIDE_ME, TopicPreference
from .question_tables import OpenQuestion, QuestionCredit, QuestionNudge
from .repositories import (
    ERASURE_MARK_KEY,
    get_setting,
    mark_forgotten,
    same_mark,
    set_setting,
    user_lock_key,
)
from .schedule_tables import REPLY, Schedule, ScheduleSend
from .tables import (
    Channel,
    ChannelMember,
    Narration,
    NarrationTopic,
    Person,
    Tenant,
    TenantSetting,
)
from .who_knows_tables import WhoKnowsAnswer

log = logging.getLogger(__name__)

EXPORT_FORMAT = "narrate-bot export v1"
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _workspace(tenant: Tenant | None) -> dict[str, Any]:
    return {
        "platform": tenant.platform if tenant else None,
        "id": tenant.external_id if tenant else None,
        "name": tenant.name if tenant else None,
    }


def organisation_setting(platform: str) -> str:
    """The tenant setting in which a platform's adapter records the organisation a workspace
    belongs to (Slack: its Enterprise Grid org, ``slack.enterprise_id``). Named by pattern, so
    the core needs no adapter to find it, and a test pins the Slack adapter's key to it."""
    return f"{platform}.enterprise_id"


async def other_workspaces(
    session: AsyncSession, *, tenant_id: int, user_id: str
) -> list[str] | None:
    """The other workspaces of this one's organisation (Slack Enterprise Grid) that keep a
    person under ``user_id``, by name; ``None`` when the platform never said this workspace
    belongs to one. Within an organisation a user id is one person (``_installs_for``)."""
    tenant = await session.get(Tenant, tenant_id)
    if tenant is None:
        return None
    key = organisation_setting(tenant.platform)
    organisation = await get_setting(session, tenant_id=tenant_id, key=key)
    if not organisation:
        return None
    rows = await session.exec(
        select(Tenant.name, Tenant.external_id)
        .join(TenantSetting, col(TenantSetting.tenant_id) == col(Tenant.id))
        .join(Person, col(Person.tenant_id) == col(Tenant.id))
        .where(
            col(Tenant.platform) == tenant.platform,
            col(Tenant.id) != tenant_id,
            col(TenantSetting.key) == key,
            col(TenantSetting.value) == organisation,
            col(Person.user_id) == user_id,
        )
    )
    return sorted({name or external_id for name, external_id in rows.all()})


async def _installs_for(session: AsyncSession, *, tenant_id: int) -> ColumnElement[bool]:
    """The installs someone acting in this tenant may have made: the workspace's own, and the
    org-wide install of the organisation it belongs to.

    An org-wide install (Slack Enterprise Grid) is filed under the organisation's own tenant
    (``team_id`` empty), while its installer narrates and asks from their workspace's tenant.
    Looking at the workspace's tenant alone, their export never listed the install and
    forget-me never erased their user id from it. Within one organisation a user id is one
    person (Grid ids are org-wide), so the installer finds it from any of its workspaces; the
    organisation comes from what the platform said the workspace belongs to, never from the
    person.
    """
    own = col(Installation.tenant_id) == tenant_id
    tenant = await session.get(Tenant, tenant_id)
    if tenant is None:
        return own
    organisation = (
        await session.exec(
            select(TenantSetting.value).where(
                TenantSetting.tenant_id == tenant_id,
                TenantSetting.key == organisation_setting(tenant.platform),
            )
        )
    ).first()
    if not organisation:
        return own
    org_wide = and_(
        col(Installation.platform) == tenant.platform,
        col(Installation.enterprise_id) == organisation,
        col(Installation.team_id) == "",
    )
    return or_(own, org_wide)


async def _by_user_id(session: AsyncSession, *, tenant_id: int, user_id: str) -> dict[str, Any]:
    """What is kept under the platform user id alone, for people who never enrolled too: the
    private channels and DMs they can read (ADR 0004), the app installs they made, the
    who-knows answers they were given (whether each helped them), and the commands kept for
    buttons shown to them (``pending_actions``: "Keep as a narration" holds their words), and
    where they last used the bot (``last_places``)."""
    memberships = (
        await session.exec(
            select(Channel)
            .join(ChannelMember, col(ChannelMember.channel_pk) == col(Channel.id))
            .where(Channel.tenant_id == tenant_id, ChannelMember.user_id == user_id)
            .order_by(col(Channel.name))
        )
    ).all()
    installs = (
        await session.exec(
            select(Installation)
            .where(
                await _installs_for(session, tenant_id=tenant_id),
                Installation.installer_user_id == user_id,
            )
            .order_by(col(Installation.installed_at))
        )
    ).all()
    # Who-knows answers they were given: when, and when they said one helped (never the
    # question or who was suggested: neither is kept).
    answers = (
        await session.exec(
            select(WhoKnowsAnswer)
            .where(
                col(WhoKnowsAnswer.tenant_id) == tenant_id,
                col(WhoKnowsAnswer.asker_user_id) == user_id,
            )
            .order_by(col(WhoKnowsAnswer.asked_at), col(WhoKnowsAnswer.id))
        )
    ).all()
    buttons = await pending_actions.of_user(session, tenant_id=tenant_id, user_id=user_id)
    pointed = await last_places.of_user(session, tenant_id=tenant_id, user_id=user_id)
    replies = await schedules.replies_to(session, tenant_id=tenant_id, user_id=user_id)
    return {
        "channel_memberships": [
            {"id": c.channel_id, "name": c.name, "kind": c.kind} for c in memberships
        ],
        # The role only: never the tokens or the bot's own ids.
        "installed_the_app": [
            {
                "platform": i.platform,
                "workspace": i.team_name or i.team_id or None,
                "organisation": i.enterprise_name or i.enterprise_id or None,
                "installed_at": _iso(i.installed_at),
            }
            for i in installs
        ],
        "who_knows_answers": [
            {"answered_at": _iso(a.asked_at), "helped_at": _iso(a.helped_at)} for a in answers
        ],
        # Commands too long for their button, kept until it is used or for a week: what
        # "Keep as a narration" would keep, a question "Ask in #…" would post.
        "button_commands": [{"command": b.command, "kept_at": _iso(b.created_at)} for b in buttons],
        # Answers to them a rate limit held back, to be sent once it has passed: in which
        # conversation, and when (someone else's that names them is that person's).
        "replies_kept_for_later": [
            {"conversation": schedules.kept_reply_place(r), "due_at": _iso(r.due_at)}
            for r in replies
        ],
        # Where they last used the bot: where it points them when their DMs are closed.
        "last_used_the_bot_in": [{"channel": p.channel_id, "at": _iso(p.seen_at)} for p in pointed],
    }


async def export_user(
    session: AsyncSession, *, tenant_id: int, user_id: str
) -> dict[str, Any] | None:
    """The export of someone with no person row (they never narrated or joined): what is kept
    under their user id alone, or ``None`` when nothing is."""
    by_user_id = await _by_user_id(session, tenant_id=tenant_id, user_id=user_id)
    # Who-knows answers sent to their DM: kept under their user id until they join.
    answers = await _dm_answers(session, tenant_id=tenant_id, person_id=None, user_id=user_id)
    if not any(by_user_id.values()) and not answers:
        return None
    return {
        "format": EXPORT_FORMAT,
        "workspace": _workspace(await session.get(Tenant, tenant_id)),
        "person": {"user_id": user_id},
        "narrations": [],
        **by_user_id,
        "who_knows_answer_messages": answers,
    }


async def _dm_answers(
    session: AsyncSession, *, tenant_id: int, person_id: int | None, user_id: str
) -> list[dict[str, Any]]:
    """The who-knows answers sent to someone's DM, as they read now."""
    return [
        {
            "message_id": c.message_id,
            "sent_at": _iso(c.posted_at),
            "text": json.loads(c.post)["text"],
        }
        for c in await of_reader(
            session, tenant_id=tenant_id, person_id=person_id, user_id=user_id, kind=WHO_KNOWS
        )
    ]


async def export_person(session: AsyncSession, *, person: Person) -> dict[str, Any]:
    tenant = await session.get(Tenant, person.tenant_id)
    narrations = (
        await session.exec(
            select(Narration, Channel)
            .join(Channel, col(Channel.id) == col(Narration.channel_pk))
            .where(Narration.person_id == person.id)
            .order_by(col(Narration.created_at), col(Narration.id))
        )
    ).all()
    topics: dict[int, list[str]] = defaultdict(list)
    # Two columns, joined on the person: rows of entities, looked up by a list of every id, took
    # most of 21 s for someone with 6,000 narrations (scale review).
    for narration_id, topic in await session.exec(
        select(NarrationTopic.narration_id, NarrationTopic.topic)
        .join(Narration, col(Narration.id) == col(NarrationTopic.narration_id))
        .where(Narration.person_id == person.id)
    ):
        topics[narration_id].append(topic)
    posted = await update_posts.posted_of(session, person_id=person.id or 0)
    by_user_id = await _by_user_id(session, tenant_id=person.tenant_id, user_id=person.user_id)
    reminders = await schedules.personal_schedules(session, person_id=person.id or 0)
    sends = (
        await session.exec(
            select(ScheduleSend, Schedule.kind)
            .join(Schedule, col(Schedule.id) == col(ScheduleSend.schedule_id))
            .where(ScheduleSend.person_id == person.id)
            .order_by(col(ScheduleSend.slot), col(ScheduleSend.id))
        )
    ).all()
    deliveries = [d for d, kind in sends if kind != REPLY]  # replies: ``_by_user_id``
    preferences = (
        await session.exec(
            select(TopicPreference)
            .where(TopicPreference.person_id == person.id)
            .order_by(col(TopicPreference.created_at), col(TopicPreference.topic))
        )
    ).all()
    digests = (
        await session.exec(
            select(FollowDigest)
            .where(FollowDigest.person_id == person.id)
            .order_by(col(FollowDigest.week), col(FollowDigest.id))
        )
    ).all()
    next_digest = await session.get(FollowSchedule, person.id)
    questions = (
        await session.exec(
            select(OpenQuestion, Channel)
            .join(Channel, col(Channel.id) == col(OpenQuestion.channel_pk))
            .where(OpenQuestion.person_id == person.id)
            .order_by(col(OpenQuestion.asked_at), col(OpenQuestion.id))
        )
    ).all()
    nudges = await question_nudges.state_of(
        session, question_ids=[q.id for q, _ in questions if q.id is not None]
    )
    return {
        "format": EXPORT_FORMAT,
        "workspace": _workspace(tenant),
        "person": {
            "user_id": person.user_id,
            "display_name": person.display_name,
            "team": person.team,
            "timezone": person.timezone,
            "consent": person.consent,
            # A forget-me not confirmed (yet): kept for its 10 minutes, then cleared.
            "erase_requested_at": _iso(person.erase_requested_at),
            "joined_at": _iso(person.joined_at),
            "paused_until": _iso(person.paused_until),
            "guest": person.guest,
            "departed_at": _iso(person.departed_at),
            "created_at": _iso(person.created_at),
        },
        "narrations": [
            {
                "id": n.ordinal,
                "text": n.text,
                "source": n.source,
                "audience": n.audience,
                "audience_before_sharing": n.audience_before_sharing,
                "channel": {"id": c.channel_id, "name": c.name, "kind": c.kind},
                "created_at": _iso(n.created_at),
                "edited_at": _iso(n.edited_at),
                "link": n.link,
                "topics": topics.get(n.id or -1, []),
                # When the bot posted it in its prompt's thread (a "Write my update" form).
                "posted_in_thread_at": _iso(posted.get(n.id or -1)),
            }
            for n, c in narrations
        ],
        **by_user_id,
        "introductions": await intro_privacy.export(session, person=person),
        "reminders": [
            {
                "days": [d for i, d in enumerate(_WEEKDAYS) if r.days & (1 << i)],
                "time": r.local_time,
                "timezone": r.timezone,
                "created_at": _iso(r.created_at),
            }
            for r in reminders
        ],
        # Each personal reminder the bot claimed, by its local date, and what became of it
        # (sent, skipped while paused, failed). Not the platform's message id: an opaque handle
        # on a DM they already hold, kept only to recognise replies to it, which tells them
        # nothing the date and time don't.
        "reminder_deliveries": [
            {"date": d.slot, "status": d.status, "sent_at": _iso(d.sent_at)} for d in deliveries
        ],
        "ask_me_about": [
            {"topic": p.topic, "since": _iso(p.created_at)} for p in preferences if p.kind == ASK_ME
        ],
        "hidden_topics": [
            {"topic": p.topic, "since": _iso(p.created_at)}
            for p in preferences
            if p.kind == HIDE_ME
        ],
        # /narrate follow: the topics whose new narrations come in a weekly DM, and each week
        # that DM was claimed (sent, quiet: nothing new, skipped: paused or left, retry: to be
        # tried again, failed) and how many tries it took; when the next one is due.
        "follows": [
            {"topic": p.topic, "since": _iso(p.created_at)} for p in preferences if p.kind == FOLLOW
        ],
        "follow_digests": [
            {"week_of": d.week, "status": d.status, "sent_at": _iso(d.sent_at), "tries": d.attempts}
            for d in digests
        ],
        "next_follow_digest_at": _iso(next_digest.due_at) if next_digest is not None else None,
        # The weekly DMs sent to them that quote narrations, as they read now (a quoted
        # narration deleted or edited since is shown so), kept to follow those changes.
        "follow_digest_messages": [
            {
                "message_id": c.message_id,
                "sent_at": _iso(c.posted_at),
                "text": json.loads(c.post)["text"],
            }
            for c in await of_reader(
                session,
                tenant_id=person.tenant_id,
                person_id=person.id,
                user_id=person.user_id,
                kind=FOLLOW_DIGEST,
            )
        ],
        # The who-knows answers sent to their DM, as they read now, kept likewise (some before
        # they joined, under their user id).
        "who_knows_answer_messages": await _dm_answers(
            session, tenant_id=person.tenant_id, person_id=person.id, user_id=person.user_id
        ),
        "open_questions": [
            {
                "question": q.text,
                "posted_in": {"id": c.channel_id, "name": c.name},
                "asked_at": _iso(q.asked_at),
                "status": q.status,  # open, answered or withdrawn (/narrate ask-channel …)
                "closed_at": _iso(q.closed_at),
                # The DMs asking them whether it was still open (none yet: ``None``).
                "follow_up": _follow_up(nudges.get(q.id or -1)),
            }
            for q, c in questions
        ],
        # Their open questions as weekly digests' threads listed them (the line as posted,
        # kept to take it back out when the question is withdrawn or they are forgotten).
        "open_questions_in_digests": await digest_copies.lines_of(
            session, person_id=person.id or 0
        ),
        **await _credits(session, person_id=person.id or 0),
    }


async def _credits(session: AsyncSession, *, person_id: int) -> dict[str, Any]:
    """Credits for answering open questions (``ask-channel answered by @bob``): those given on
    their own questions, naming who answered, and those they received. For a credit received,
    when the question was marked answered, never the question or its asker: those are the
    asker's, from a channel they may not read."""
    given = await session.exec(
        select(OpenQuestion, Person.user_id)
        .join(QuestionCredit, col(QuestionCredit.question_id) == col(OpenQuestion.id))
        .join(Person, col(Person.id) == col(QuestionCredit.person_id))
        .where(col(OpenQuestion.person_id) == person_id)
        .order_by(col(OpenQuestion.asked_at), col(OpenQuestion.id))
    )
    received = await session.exec(
        select(OpenQuestion.closed_at)
        .join(QuestionCredit, col(QuestionCredit.question_id) == col(OpenQuestion.id))
        .where(col(QuestionCredit.person_id) == person_id)
        .order_by(col(OpenQuestion.closed_at), col(OpenQuestion.id))
    )
    return {
        "open_question_credits_given": [
            {"question": q.text, "answered_at": _iso(q.closed_at), "answered_by": user_id}
            for q, user_id in given
        ],
        "open_question_credits_received": [{"answered_at": _iso(at)} for at in received],
    }


def _follow_up(nudge: QuestionNudge | None) -> dict[str, object] | None:
    if nudge is None:
        return None
    return {
        "times_asked": nudge.nudges,  # at most 2: never more
        "last_asked_at": _iso(nudge.nudged_at),
        "said_still_open_at": _iso(nudge.still_open_at),
        # The platform took nothing of the last DM: its failed tries, and the next one.
        "failed_tries": nudge.attempts,
        "next_try_at": _iso(nudge.retry_at),
    }


async def lapse_erasure_requests(session: AsyncSession, *, before: datetime) -> None:
    """Forget when people asked to be forgotten and never confirmed, once the window to
    confirm it closed (``before``): the request is no request any more, and a timestamp of it
    kept for good would tell of something they chose not to do. Through the index on the
    column, so a wake-up with none to clear costs one probe."""
    await session.exec(
        update(Person)
        .where(col(Person.erase_requested_at) < before)
        .values(erase_requested_at=None)
    )


async def any_lapsed_erasure_request(session: AsyncSession, *, before: datetime) -> bool:
    """Whether a request to clear is there (one probe of the index): the scheduler's wake-up
    asks in a read-only snapshot and takes the write lock only when one is."""
    found = await session.exec(
        select(col(Person.id)).where(col(Person.erase_requested_at) < before).limit(1)
    )
    return found.first() is not None


async def erasure_mark(session: AsyncSession, *, platform: str, external_id: str) -> str | None:
    """The workspace's erasure mark (``ERASURE_MARK_KEY``), looked up by the platform's ids so
    that it can be the first thing a command reads: a command that writes something under its
    actor's user id alone (a who-knows answer of someone who never joined) reads it as it
    begins, and writes only if ``hold_user_id`` then finds it unchanged."""
    return (
        await session.exec(
            select(TenantSetting.value)
            .join(Tenant, col(Tenant.id) == col(TenantSetting.tenant_id))
            .where(
                Tenant.platform == platform,
                Tenant.external_id == external_id,
                TenantSetting.key == ERASURE_MARK_KEY,
            )
        )
    ).first()


async def hold_user_id(
    session: AsyncSession, *, tenant_id: int, user_id: str, mark: str | None
) -> bool:
    """Hold ``user_id`` in the workspace until the transaction ends, for a command about to write
    under it, waiting for any forget-me of it (``hold_user_id_to_erase``); ``False`` when a
    forget-me in the workspace committed since ``mark`` was read (``erasure_mark``): what was
    read as the command began may then be theirs, and nothing more may be written under it.

    Someone with no person row has no row to hold (``repositories.hold_person``): a who-knows
    answer kept for them at the moment their forget-me ran on another replica outlived it, and
    they had been told "Done". With this hold the two run one after the other on PostgreSQL
    (a transaction-scoped advisory lock on the workspace and user id): the answer is committed
    before the erasure deletes, and goes with the rest, or the erasure committed first and the
    changed mark says so. Any forget-me in the workspace changes the mark, so a question asked
    meanwhile by someone else keeps no answer either (its button is left out, this once).

    Shared: two commands of the same person (two replicas) never wait for each other, only for
    their erasure, which takes it alone. A command that waited therefore waited for a forget-me
    of this very user id (``hold_unknown_user`` counts on it). SQLite's writers are already
    serialized (ADR 0003): the mark is read in this write.
    """
    await _lock_user_id(session, tenant_id=tenant_id, user_id=user_id, alone=False)
    return same_mark(mark, await get_setting(session, tenant_id=tenant_id, key=ERASURE_MARK_KEY))


async def share_user_id(session: AsyncSession, *, tenant_id: int, user_id: str) -> None:
    """Hold ``user_id`` shared, as ``hold_user_id`` does, for a command of someone with a person
    row before it holds that row (``Turn.still_here``): every transaction takes the user id
    before the row, as the erasure does (``erase_person``)."""
    await _lock_user_id(session, tenant_id=tenant_id, user_id=user_id, alone=False)


async def hold_user_id_to_erase(session: AsyncSession, *, tenant_id: int, user_id: str) -> None:
    """Hold ``user_id`` alone until the erasure commits, before it reads or deletes anything kept
    under it: a command writing under it (``hold_user_id``) has committed, and what it wrote is
    deleted, or it waits for the erasure and finds the changed mark."""
    await _lock_user_id(session, tenant_id=tenant_id, user_id=user_id, alone=True)


async def _lock_user_id(
    session: AsyncSession, *, tenant_id: int, user_id: str, alone: bool
) -> None:
    """Take the user id's advisory lock (PostgreSQL; nothing on SQLite): ``alone`` for an
    erasure, shared for a command."""
    if session.get_bind().dialect.name == "postgresql":
        lock = "pg_advisory_xact_lock" if alone else "pg_advisory_xact_lock_shared"
        connection = await session.connection()
        key = _user_key(tenant_id, user_id)
        await connection.execute(text(f"SELECT {lock}(:key)"), {"key": key})


async def hold_unknown_user(session: AsyncSession, *, tenant_id: int, user_id: str) -> bool:
    """Hold ``user_id`` (as ``hold_user_id``) for a command of someone with no person row before
    it writes under their user id (the membership of the channel they wrote in); ``False`` when
    their forget-me, running on another replica as the command began, committed while it
    waited. Without it the membership, written beside the erasure, outlived it: the erasure's
    delete can't see a row not yet committed, and a row it had just deleted was written again.
    Now one waits for the other: the erasure deletes what the command committed, or the command
    writes nothing.

    The changed mark counts only after a wait: any forget-me in the workspace changes it, and a
    command that never waited would be taken for erased by someone else's. The hold is shared
    with their other commands (``hold_user_id``), so a wait is for a forget-me of this user id,
    holding it or in line for it: a newcomer's second command on another replica, sent while
    someone else's forget-me commits, is not taken for erased (and dropped, with "nothing about
    you is stored" said beside the first, kept). SQLite's writers are already serialized
    (ADR 0003)."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    key = _user_key(tenant_id, user_id)
    connection = await session.connection()
    # Read before the try: an erasure committed after it changes the mark.
    mark = await get_setting(session, tenant_id=tenant_id, key=ERASURE_MARK_KEY)
    # Refused while an erasure of theirs holds it or waits for it (PostgreSQL queues a shared
    # request behind a waiting exclusive one), never for another command of theirs.
    taken = text("SELECT pg_try_advisory_xact_lock_shared(:key)")
    if (await connection.execute(taken, {"key": key})).scalar_one():
        return True
    return await hold_user_id(session, tenant_id=tenant_id, user_id=user_id, mark=mark)


def _user_key(tenant_id: int, user_id: str) -> int:
    """The advisory lock's key for a user id of a workspace (``hold_user_id``)."""
    return user_lock_key(tenant_id, user_id)


async def _erase_by_user_id(
    session: AsyncSession, *, tenant_id: int, user_id: str, now: datetime
) -> None:
    """Forget what is kept under the user id alone (see ``_by_user_id``). Run after the person's
    narrations are gone (a DM channel goes with them). The user id is held first, and the
    workspace's erasure mark changed (``hold_user_id_to_erase``).

    Someone else's never-pair wish naming this user id stays: it is its owner's data, kept
    until they remove it or erase themselves. Deleting it here let anyone undo a private wish
    about them with one command (without even knowing it existed), and then be introduced to
    the very person who asked never to be. It is never shown to the person it names either.
    """
    await hold_user_id_to_erase(session, tenant_id=tenant_id, user_id=user_id)
    await set_setting(
        session, tenant_id=tenant_id, key=ERASURE_MARK_KEY, value=secrets.token_hex(8), now=now
    )
    # What the platform goes on saying of them (a private channel's readers re-read, a join, a
    # profile change) is not stored again until they use the bot (``repositories.came_back``).
    await mark_forgotten(session, tenant_id=tenant_id, user_id=user_id, now=now)
    await schedules.drop_replies_naming(session, tenant_id=tenant_id, user_id=user_id)
    tenant_channels = select(Channel.id).where(Channel.tenant_id == tenant_id)
    direct_pks = list(
        (
            await session.exec(
                select(Channel.id)
                .join(ChannelMember, col(ChannelMember.channel_pk) == col(Channel.id))
                .where(
                    Channel.tenant_id == tenant_id,
                    Channel.kind == "direct",
                    ChannelMember.user_id == user_id,
                )
            )
        ).all()
    )
    await session.exec(
        delete(ChannelMember).where(
            col(ChannelMember.user_id) == user_id,
            col(ChannelMember.channel_pk).in_(tenant_channels),
        )
    )
    # A DM with the bot is about this person alone: it goes too once nothing else points at it.
    if direct_pks:
        still_used = select(Narration.channel_pk).where(col(Narration.channel_pk).in_(direct_pks))
        await session.exec(
            delete(Channel).where(
                col(Channel.id).in_(direct_pks), col(Channel.id).not_in(still_used)
            )
        )
    await session.exec(
        delete(WhoKnowsAnswer).where(
            col(WhoKnowsAnswer.tenant_id) == tenant_id,
            col(WhoKnowsAnswer.asker_user_id) == user_id,
        )
    )
    await pending_actions.forget_user(session, tenant_id=tenant_id, user_id=user_id)
    await last_places.forget_user(session, tenant_id=tenant_id, user_id=user_id)
    # Who-knows answers sent by DM before they joined (the feature empties them first).
    await forget_reader_user(session, tenant_id=tenant_id, user_id=user_id)
    # The install keeps working for everyone else; it just stops naming who added the app. An
    # org-wide install is blanked the same way from any workspace of its organisation.
    await session.exec(
        update(Installation)
        .where(
            await _installs_for(session, tenant_id=tenant_id),
            col(Installation.installer_user_id) == user_id,
        )
        .values(installer_user_id="")
    )


async def erase_user(session: AsyncSession, *, tenant_id: int, user_id: str, now: datetime) -> bool:
    """Forget-me for someone with no person row. ``False`` when nothing of theirs was kept. A
    never-pair wish naming them is someone else's, so it neither counts as theirs nor goes."""
    kept = await export_user(session, tenant_id=tenant_id, user_id=user_id) is not None
    await _erase_by_user_id(session, tenant_id=tenant_id, user_id=user_id, now=now)
    return kept


async def erase_person(
    session: AsyncSession, *, person: Person, dialect: str, now: datetime
) -> int:
    """Delete every row about the person; returns narrations removed. The index's blocks
    forget their text once ``clear_traces`` has run after the commit.

    The person's row is taken first (``FOR UPDATE``) and held until the erasure commits. A
    narration on another replica holds the same row before it writes anything for them
    (``repositories.hold_person``), so the two run one after the other: a narration that got
    the row first has committed, and everything it stored (the narration, the channel
    membership) is seen and deleted below; one that comes second finds the row gone. Without
    it a narration stored at the same moment survived as a membership with nobody behind it,
    or was reported as kept and then deleted by the cascade. SQLite's writers are already
    serialized, and the clause is a plain read there.
    """
    # Their user id first, then their row: the order of a command of theirs (``Turn.still_here``
    # holds the user id shared before the row, a newcomer's before the row exists). Taking the
    # row first, a forget-me waited for the user id held by a newcomer's command that then
    # waited for the row (stored meanwhile by their other command): a deadlock PostgreSQL broke
    # by failing one of them.
    await hold_user_id_to_erase(session, tenant_id=person.tenant_id, user_id=person.user_id)
    await session.exec(select(Person.id).where(col(Person.id) == person.id).with_for_update())
    theirs = select(Narration.id).where(Narration.person_id == person.id)
    removed = (await session.exec(select(func.count()).select_from(theirs.subquery()))).one()
    if removed:
        # By a subquery, not a list of every id as parameters: SQLite's default cap is 32,766
        # per statement (builds differ), which the people who narrated most could pass.
        await session.exec(
            delete(NarrationTopic).where(col(NarrationTopic.narration_id).in_(theirs))
        )
        # A bulk DELETE still fires the FTS trigger for every row, so the index forgets each text.
        await session.exec(delete(Narration).where(col(Narration.person_id) == person.id))
    await _erase_by_user_id(session, tenant_id=person.tenant_id, user_id=person.user_id, now=now)
    await intro_privacy.erase(session, person=person, now=now)
    assert person.id is not None
    await schedules.erase_for(
        session, tenant_id=person.tenant_id, person_id=person.id, user_id=person.user_id
    )
    await session.exec(delete(TopicPreference).where(col(TopicPreference.person_id) == person.id))
    await session.exec(delete(FollowDigest).where(col(FollowDigest.person_id) == person.id))
    await forget_reader(session, person_id=person.id)
    await session.exec(delete(FollowSchedule).where(col(FollowSchedule.person_id) == person.id))
    await session.exec(delete(Person).where(col(Person.id) == person.id))
    await session.flush()
    del dialect  # the index is scrubbed after the commit, in short steps (``index_scrub``)
    return removed


async def erase_tenant(session: AsyncSession, *, tenant_id: int, dialect: str) -> int:
    """Delete a whole workspace/guild (the app was removed): every row, and its index entries.

    Narrations are deleted explicitly first so the SQLite full-text triggers forget each text;
    everything else goes with the tenant row (foreign keys cascade). Returns narrations removed.
    The index's blocks forget the text once ``clear_traces`` has run after the commit.
    """
    removed = (
        await session.exec(select(Narration.id).where(Narration.tenant_id == tenant_id))
    ).all()
    await session.exec(delete(Narration).where(col(Narration.tenant_id) == tenant_id))
    await session.exec(delete(Tenant).where(col(Tenant.id) == tenant_id))
    await session.flush()
    del dialect  # the index is scrubbed after the commit, in short steps (``index_scrub``)
    return len(removed)


async def clear_traces(db: Database, *, erasure: bool = False) -> None:
    """Once a delete, an edit or an ``erasure`` (forget-me, a workspace removed, a token revoked)
    has committed, leave no readable copy of the old values behind, before the command replies:
    on SQLite the full-text index's old segments (``index_scrub.scrub``, merged in short
    transactions so other writers go between them) and then the write-ahead log
    (``_truncate_log``), always; PostgreSQL's planner samples (``_refresh_statistics``) after an
    erasure."""
    if db.dialect == "sqlite":
        await index_scrub.scrub(db)
        await _truncate_log(db)
    elif db.dialect == "postgresql" and erasure:
        await _refresh_statistics(db)


async def _refresh_statistics(db: Database) -> None:
    """PostgreSQL keeps samples of column values (``pg_stats``: most common values, histogram
    bounds, the search column's most common words) until the table is analyzed again: an erased
    person's DM note, user id or name stayed readable there for anyone with database access
    until autovacuum's next analyze. ``ANALYZE`` of the bot's own tables samples live rows only.

    Only after an erasure: it samples up to 30,000 rows per table, measured at 2-3 s for 200,000
    narrations on a loaded 2-core machine, which a rare, confirmed forget-me can take and every
    edit or delete should not. A single deleted or edited narration is one row among the 30,000
    sampled; its words reach the samples only if it is itself a common value, and they leave
    with autovacuum's next analyze (README)."""
    names = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    async with db.engine.connect() as connection:
        await connection.execute(text(f"ANALYZE {names}"))
        await connection.commit()


async def _truncate_log(db: Database) -> None:
    """SQLite: copy the write-ahead log into the database file and empty it, once an erasure has
    committed. ``secure_delete`` zeroes freed pages in the database file, but the log keeps the
    pages as they were (narration text, old index segments) until a checkpoint, which by default
    waits for 1,000 pages; meanwhile the erased text would stay readable in ``-wal``.

    It runs on the raw connection, outside any transaction (a checkpoint can't run inside one).
    With readers still on an older snapshot it waits up to the busy timeout, then gives up on
    truncating this time (the next erasure's, or SQLite's own, checkpoint takes it); nothing
    fails. Its cost is writing the log's pages once, which the index's merge had just produced
    anyway. A ``TRUNCATE`` checkpoint keeps writers out while it copies, so a ``PASSIVE`` one,
    which lets them in, copies the bulk first. (PostgreSQL: ``_refresh_statistics``; dead row
    versions wait for vacuum, README.)
    """
    async with db.engine.connect() as connection:
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        await (await driver.execute("PRAGMA wal_checkpoint(PASSIVE)")).close()
        cursor = await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        row = await cursor.fetchone()
        await cursor.close()
    if row is not None and row[0]:
        log.info("the write-ahead log is still in use by a reader; it will be checkpointed later")


async def truncate_log(db: Database) -> None:
    """``clear_traces`` after an erasure, by the name the adapters call it."""
    await clear_traces(db, erasure=True)
