"""Data access for who-knows product features: topic preferences, the tenant's topic map and
the open questions posted for others to answer."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, delete, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..knowledge.topics import shown_topic, shows_a_subject
from .preference_tables import TopicPreference
from .question_tables import OpenQuestion
from .repositories import suggestable, visible_to
from .tables import Channel, Narration, NarrationTopic, Person
from .topic_filter import taken_as_written


async def preferences_of(
    session: AsyncSession, *, person_id: int, kind: str
) -> list[TopicPreference]:
    rows = await session.exec(
        select(TopicPreference)
        .where(TopicPreference.person_id == person_id, TopicPreference.kind == kind)
        .order_by(col(TopicPreference.created_at), col(TopicPreference.topic))
    )
    return list(rows.all())


async def add_preference(
    session: AsyncSession,
    *,
    tenant_id: int,
    person_id: int,
    kind: str,
    topic: str,
    key: str,
    now: datetime,
) -> bool:
    """Store one topic; ``False`` when the person already had it (same normalized key)."""
    if await session.get(TopicPreference, (person_id, kind, key)) is not None:
        return False
    session.add(
        TopicPreference(
            person_id=person_id,
            kind=kind,
            topic_key=key,
            tenant_id=tenant_id,
            topic=topic,
            created_at=now,
        )
    )
    await session.flush()
    return True


async def remove_preferences(
    session: AsyncSession, *, person_id: int, kind: str, keys: Sequence[str] | None = None
) -> int:
    """Remove some (``keys``) or all of a person's topics of one kind; returns how many went."""
    condition = [col(TopicPreference.person_id) == person_id, col(TopicPreference.kind) == kind]
    if keys is not None:
        condition.append(col(TopicPreference.topic_key).in_(list(keys)))
    found = len((await session.exec(select(TopicPreference).where(*condition))).all())
    await session.exec(delete(TopicPreference).where(*condition))
    return found


async def tenant_preferences(
    session: AsyncSession, *, tenant_id: int, kind: str | None = None
) -> list[TopicPreference]:
    """A tenant's preferences (of one kind, or all): few rows, people type them one by one."""
    statement = select(TopicPreference).where(TopicPreference.tenant_id == tenant_id)
    if kind is not None:
        statement = statement.where(TopicPreference.kind == kind)
    return list((await session.exec(statement)).all())


async def preferences_for_stems(
    session: AsyncSession, *, tenant_id: int, stems: Sequence[str], runs: Sequence[str] = ()
) -> list[TopicPreference]:
    """The tenant's preferences that may match a question with these stems.

    A topic matches when all its stems are the question's, so in particular its first (sorted)
    stem is: the key equals a stem or starts with one and a space. A CJK stem may also lie
    anywhere inside one of the question's CJK ``runs`` (``topic_match.matches``), however long:
    the key's first stem is then inside one of them. Callers check the rest.
    """
    if not stems:
        return []
    key = col(TopicPreference.topic_key)
    candidates = [
        condition
        for stem in stems
        for condition in (key == stem, key.startswith(stem + " ", autoescape=True))
    ]
    if runs:
        if session.get_bind().dialect.name == "postgresql":
            first = func.split_part(key, " ", 1)
            inside = [func.strpos(run, first) > 0 for run in runs]
        else:
            first = func.substr(key, 1, func.instr(key + " ", " ") - 1)
            inside = [func.instr(run, first) > 0 for run in runs]
        candidates.append(and_(key != "", or_(*inside)))
    rows = await session.exec(
        select(TopicPreference).where(TopicPreference.tenant_id == tenant_id, or_(*candidates))
    )
    return list(rows.all())


async def topic_people_counts(
    session: AsyncSession,
    *,
    tenant_id: int,
    viewer_user_id: str,
    since: datetime,
    now: datetime,
) -> list[tuple[str, int, int]]:
    """(topic, person id, narrations) over the viewer-visible narrations since ``since``, one row
    per topic and person, each topic as ``shown_topic`` reads it; never a stored topic that says
    how the work stands rather than what it is about, nor one that is no subject to show
    (``shows_a_subject``: "latest", "wrong").

    A narration stored by an earlier version with two spellings of one topic ("pass" and
    "passe", "migration" and "migrating") counts once for it: the map said "pass: 2
    narrations" of one."""
    visible = (
        visible_to(tenant_id=tenant_id, viewer_user_id=viewer_user_id, answer_channel_pk=None),
        col(Narration.created_at) >= since,
        suggestable(now),
        taken_as_written(),  # "caveat" only as a hashtag
    )
    count = func.count(col(Narration.id))
    rows = await session.exec(
        select(NarrationTopic.topic, col(Narration.person_id), count)
        .select_from(Narration)
        .join(NarrationTopic, col(NarrationTopic.narration_id) == col(Narration.id))
        .join(Channel, col(Channel.id) == col(Narration.channel_pk))
        .join(Person, col(Person.id) == col(Narration.person_id))
        .where(*visible)  # type: ignore[arg-type]
        .group_by(NarrationTopic.topic, col(Narration.person_id))
    )
    counts: dict[tuple[str, int], int] = {}
    spellings: dict[str, set[str]] = {}
    for topic, person_id, n in rows.all():
        if (shown := shown_topic(topic)) is not None and shows_a_subject(shown):
            counts[shown, person_id] = counts.get((shown, person_id), 0) + int(n)
            spellings.setdefault(shown, set()).add(topic)
    # Only topics stored under several spellings can be counted twice for one narration; they
    # are few (old folds), so only their rows are read again, one per narration.
    twice = sorted(t for stored in spellings.values() if len(stored) > 1 for t in stored)
    if twice:
        pairs = await session.exec(
            select(col(Narration.id), col(Narration.person_id), NarrationTopic.topic)
            .select_from(Narration)
            .join(NarrationTopic, col(NarrationTopic.narration_id) == col(Narration.id))
            .join(Channel, col(Channel.id) == col(Narration.channel_pk))
            .join(Person, col(Person.id) == col(Narration.person_id))
            .where(*visible, col(NarrationTopic.topic).in_(twice))  # type: ignore[arg-type]
        )
        per_narration = Counter(
            (narration_id, person_id, shown_topic(topic))
            for narration_id, person_id, topic in pairs.all()
        )
        for (_, person_id, shown), stored in per_narration.items():
            if shown is not None and stored > 1:
                counts[shown, person_id] -= stored - 1
    return [(topic, person_id, n) for (topic, person_id), n in counts.items()]


async def visible_narrations_of(
    session: AsyncSession,
    *,
    tenant_id: int,
    person_id: int,
    viewer_user_id: str,
    limit: int | None,
) -> list[tuple[Narration, Channel]]:
    """A person's narrations the viewer may read, newest first (``limit=None``: all of them)."""
    statement = (
        select(Narration, Channel)
        .join(Channel, col(Channel.id) == col(Narration.channel_pk))
        .where(
            Narration.person_id == person_id,
            visible_to(tenant_id=tenant_id, viewer_user_id=viewer_user_id, answer_channel_pk=None),  # type: ignore[arg-type]
        )
        .order_by(col(Narration.created_at).desc(), col(Narration.id).desc())
    )
    if limit is not None:
        statement = statement.limit(limit)
    return list((await session.exec(statement)).all())


async def narration_topics_of_person(
    session: AsyncSession, *, narration_ids: Sequence[int], since: datetime | None = None
) -> list[str]:
    """Every topic of these narrations, once per narration (repeats across narrations kept, so
    callers can count), as ``shown_topic`` reads it: "pass" and "passe" stored for one narration
    are one "pass"; a word since known to be no topic is left out, as is one that is no subject
    to show (``shows_a_subject``), and "caveat" or "thinking" is read only as a hashtag
    (``topic_filter``). ``since``: only of those written since then."""
    if not narration_ids:
        return []
    where = [col(NarrationTopic.narration_id).in_(narration_ids), taken_as_written()]
    if since is not None:
        where.append(col(Narration.created_at) >= since)
    rows = await session.exec(
        select(NarrationTopic.narration_id, NarrationTopic.topic)
        .join(Narration, col(Narration.id) == col(NarrationTopic.narration_id))
        .where(*where)
    )
    seen = dict.fromkeys((narration_id, shown_topic(topic)) for narration_id, topic in rows.all())
    return [shown for _, shown in seen if shown is not None and shows_a_subject(shown)]


async def person_by_mention(
    session: AsyncSession, *, tenant_id: int, user_id: str | None, name: str | None
) -> Person | None:
    """The person a mention names: by platform id, else by display name (case-insensitive)."""
    if user_id is not None:
        found = (
            await session.exec(
                select(Person).where(Person.tenant_id == tenant_id, Person.user_id == user_id)
            )
        ).first()
        if found is not None or name is None:
            return found
    if name is None:
        return None
    rows = await session.exec(
        select(Person)
        .where(
            Person.tenant_id == tenant_id,
            or_(
                func.lower(col(Person.display_name)) == name.lower(),
                func.lower(col(Person.user_id)) == name.lower(),
            ),
        )
        .order_by(col(Person.id))
    )
    return rows.first()


async def find_channel(
    session: AsyncSession, *, tenant_id: int, channel_id: str | None, name: str | None
) -> Channel | None:
    """A channel the bot has seen in this tenant, by platform id or by name."""
    if channel_id is not None:
        found = (
            await session.exec(
                select(Channel).where(
                    Channel.tenant_id == tenant_id, Channel.channel_id == channel_id
                )
            )
        ).first()
        if found is not None:
            return found
    if name is None:
        return None
    return (
        await session.exec(
            select(Channel)
            .where(Channel.tenant_id == tenant_id, func.lower(col(Channel.name)) == name.lower())
            .order_by(col(Channel.id))
        )
    ).first()


async def record_open_question(
    session: AsyncSession,
    *,
    tenant_id: int,
    person_id: int,
    channel_pk: int,
    text: str,
    now: datetime,
) -> None:
    """Remember a question posted to the open-questions channel, for that week's digests."""
    session.add(
        OpenQuestion(
            tenant_id=tenant_id,
            person_id=person_id,
            channel_pk=channel_pk,
            text=text,
            asked_at=now,
        )
    )
    await session.flush()
