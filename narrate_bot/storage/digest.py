"""The weekly digest's queries: this week's narrations, and open questions, a channel may read."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import cast

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..knowledge.topics import shown_topic
from .question_tables import OPEN, OpenQuestion
from .repositories import visible_to
from .tables import Channel, Narration, NarrationTopic, Person
from .topic_filter import taken_as_written


async def week_for_channel(
    session: AsyncSession,
    *,
    tenant_id: int,
    channel_pk: int,
    since: datetime,
    until: datetime,
    shared: bool = False,
) -> list[tuple[Narration, Person, list[str]]]:
    """Narrations of the week the channel may read: what anyone there could already see, plus
    the channel's own (a private channel's members read those). A channel ``shared`` with
    another organisation is read by people who can't open the workspace's other channels, so
    its digest holds only what was narrated in it.

    Only people taking part count. Leaving (``/narrate leave``) is "stop using my narrations":
    they stay the author's, to export, but no longer feed what others are shown, and the
    digest's counts and cross-team overlaps are built from them as much as the topic map is.
    Pausing is "leave me alone for now", a break from prompts and from being suggested, not a
    withdrawal of what was written: a paused person's narrations still count in the digest's
    figures, which name nobody. No narration is listed as a question, whatever it says: the
    digest's open questions are those asked through the bot (``questions_for_channel``).
    """
    own = and_(col(Narration.channel_pk) == channel_pk, col(Narration.audience) == "channel")
    readable = (
        own
        if shared
        else or_(
            cast(
                ColumnElement[bool],
                visible_to(tenant_id=tenant_id, viewer_user_id="", answer_channel_pk=channel_pk),
            ),
            own,
        )
    )
    conditions = (
        col(Narration.tenant_id) == tenant_id,
        col(Narration.created_at) >= since,
        col(Narration.created_at) < until,
        col(Channel.kind) != "direct",
        col(Person.consent) == "joined",
        readable,
    )
    rows = (
        await session.exec(
            select(Narration, Person)
            .join(Channel, col(Channel.id) == col(Narration.channel_pk))
            .join(Person, col(Person.id) == col(Narration.person_id))
            .where(*conditions)
            .order_by(col(Narration.created_at))
        )
    ).all()
    # The week's topics by the same conditions, as two columns: not a list of every narration
    # id as parameters (SQLite's default cap is 32,766; builds differ), nor rows of entities.
    topics: dict[int, list[str]] = defaultdict(list)
    if rows:
        for narration_id, topic in await session.exec(
            select(NarrationTopic.narration_id, NarrationTopic.topic)
            .join(Narration, col(Narration.id) == col(NarrationTopic.narration_id))
            .join(Channel, col(Channel.id) == col(Narration.channel_pk))
            .join(Person, col(Person.id) == col(Narration.person_id))
            .where(*conditions, taken_as_written())
        ):
            # Stored before its word was known to be no topic, or folded as "passe": as
            # ``shown_topic`` reads it, once per narration ("caveat" only as a hashtag).
            shown = shown_topic(topic)
            if shown is not None and shown not in topics[narration_id]:
                topics[narration_id].append(shown)
    return [(n, p, topics.get(n.id or -1, [])) for n, p in rows]


async def questions_for_channel(
    session: AsyncSession,
    *,
    tenant_id: int,
    channel_pk: int,
    since: datetime,
    until: datetime,
    shared: bool = False,
) -> list[tuple[OpenQuestion, Person, str]]:
    """Open questions of the week the channel may read, newest first, with the name of the
    channel each was posted in.

    Each was posted in one channel, so it is as readable as that channel: anyone reads one
    posted in a public channel, only its members one posted in a private channel (listed in that
    channel's own digest alone). A ``shared`` channel's digest, like its narrations, holds only
    what was posted in it.
    """
    own = col(OpenQuestion.channel_pk) == channel_pk
    readable = own if shared else or_(col(Channel.kind) == "public", own)
    rows = await session.exec(
        select(OpenQuestion, Person, Channel.name)
        .join(Channel, col(Channel.id) == col(OpenQuestion.channel_pk))
        .join(Person, col(Person.id) == col(OpenQuestion.person_id))
        .where(
            col(OpenQuestion.tenant_id) == tenant_id,
            col(Channel.tenant_id) == tenant_id,
            col(OpenQuestion.asked_at) >= since,
            col(OpenQuestion.asked_at) < until,
            col(OpenQuestion.status) == OPEN,  # answered or withdrawn by the asker: not open
            col(Channel.kind) != "direct",
            readable,
        )
        .order_by(col(OpenQuestion.asked_at).desc(), col(OpenQuestion.id).desc())
    )
    return list(rows.all())
