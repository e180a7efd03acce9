"""The introductions' part of export and forget-me (called from ``privacy.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from . import intro_posts
from .intro_repo import every_key, forget_every
from .intro_tables import (
    IntroAskedTopic,
    Introduction,
    IntroFeedback,
    IntroMember,
    IntroNeverPair,
    IntroParticipant,
)
from .repositories import get_setting
from .tables import Person


async def export(session: AsyncSession, *, person: Person) -> dict[str, Any]:
    """Only the person's own side: their wishes (never who wished them away), the
    introductions they were part of (with whoever is still here), their answers and the topics
    they asked about. Every column kept about them is in it, dates and the team recorded on
    each introduction too, so the export shows all that forget-me would erase.

    ``never_pair`` stays the plain list of user ids it always was; when each wish was made is
    beside it in ``never_pair_since``, so a reader of the earlier exports still reads this one.
    """
    taking_part = await session.get(IntroParticipant, person.id)
    never = (
        await session.exec(
            select(IntroNeverPair)
            .where(IntroNeverPair.person_id == person.id)
            .order_by(col(IntroNeverPair.created_at))
        )
    ).all()
    mine = (
        await session.exec(
            select(Introduction)
            .join(IntroMember, col(IntroMember.introduction_id) == col(Introduction.id))
            .where(IntroMember.person_id == person.id)
            .order_by(col(Introduction.created_at), col(Introduction.id))
        )
    ).all()
    ids = [i.id for i in mine if i.id is not None]
    others: dict[int, list[str]] = {i: [] for i in ids}
    feedback: dict[int, tuple[str, str]] = {}  # introduction → (outcome, when they answered)
    teams: dict[int, str | None] = {}
    unreached: dict[int, str] = {}  # introduction → when its group DM failed to reach them
    if ids:
        for introduction_id, team, missed in await session.exec(
            select(IntroMember.introduction_id, IntroMember.team, IntroMember.unreached_at).where(
                col(IntroMember.introduction_id).in_(ids), IntroMember.person_id == person.id
            )
        ):
            teams[introduction_id] = team
            if missed is not None:
                unreached[introduction_id] = missed.isoformat()
        for introduction_id, user_id in await session.exec(
            select(IntroMember.introduction_id, Person.user_id)
            .join(Person, col(Person.id) == col(IntroMember.person_id))
            .where(col(IntroMember.introduction_id).in_(ids), Person.id != person.id)
        ):
            others[introduction_id].append(user_id)
        for row in await session.exec(
            select(IntroFeedback).where(
                col(IntroFeedback.introduction_id).in_(ids), IntroFeedback.person_id == person.id
            )
        ):
            feedback[row.introduction_id] = (row.outcome, row.at.isoformat())
    asked = (
        await session.exec(
            select(IntroAskedTopic)
            .where(IntroAskedTopic.person_id == person.id)
            .order_by(col(IntroAskedTopic.asked_at))
        )
    ).all()
    every = await get_setting(session, tenant_id=person.tenant_id, key=every_key(person.id or 0))
    return {
        "taking_part": taking_part is not None,
        "joined_at": taking_part.joined_at.isoformat() if taking_part else None,
        "skip_until": (
            taking_part.skip_until.isoformat() if taking_part and taking_part.skip_until else None
        ),
        # At most how often they want to be introduced (/narrate intros every): weeks.
        "every_weeks": int(every) if every and every.isdigit() else 1,
        "never_pair": [row.other_user_id for row in never],
        "never_pair_since": {row.other_user_id: row.created_at.isoformat() for row in never},
        "introductions": [
            {
                "id": i.number,  # "Introduction #3" as people saw it, like narrations' ordinals
                "created_at": i.created_at.isoformat(),
                # When it went out; null where every post of it was refused.
                "delivered_at": i.delivered_at.isoformat() if i.delivered_at else None,
                # When its group DM failed to reach them (nothing could, or theirs kept failing
                # while others got it); null where it reached them.
                "never_reached_you_at": unreached.get(i.id or -1),
                "introduced_to": others.get(i.id or -1, []),
                # Whoever erased themselves since is gone from it, never named: with nobody
                # else left, the export says so rather than "introduced to nobody".
                "others_have_left": not others.get(i.id or -1),
                "topics": [t for t in i.topics.split(",") if t],
                "answered_a_question": i.answers_question,
                # The team they were in then, as the introduction recorded it for its ties.
                "your_team": teams.get(i.id or -1),
                "your_answer": feedback.get(i.id or -1, (None, None))[0],
                "answered_at": feedback.get(i.id or -1, (None, None))[1],
            }
            for i in mine
        ],
        "asked_topics": [{"topic": a.topic, "at": a.asked_at.isoformat()} for a in asked],
    }


async def erase(session: AsyncSession, *, person: Person, now: datetime) -> None:
    """Forget-me: the person's side of the introductions, and nobody else's.

    Their membership of each introduction, their answers, their questions, their taking part and
    their never-pair wishes go. The introductions stay, with their numbers and everyone else's
    membership and answers: the others' history, and the workspace's statistics, are theirs, and
    a number is never given out twice (the next one is the tenant's highest + 1). A never-pair
    wish someone else made naming the person stays: it is the wisher's (only its owner's
    forget-me or ``never-pair remove`` takes it), and the wisher was promised "never". Erasing
    it with the person named let anyone lift a wish about them with one forget-me, and be
    introduced to its owner the next week. An introduction nobody is left in keeps no topics:
    they were kept for its members alone. Its post in the introductions channel, which names
    them to the whole workspace, is due for an edit from ``now`` (``features.intro_posts``).
    """
    mine = list(
        (
            await session.exec(
                select(IntroMember.introduction_id).where(IntroMember.person_id == person.id)
            )
        ).all()
    )
    await intro_posts.retract(session, introduction_ids=mine, now=now)
    for table in (IntroNeverPair, IntroParticipant, IntroAskedTopic, IntroFeedback, IntroMember):
        await session.exec(delete(table).where(col(table.person_id) == person.id))
    assert person.id is not None
    await forget_every(session, person_id=person.id)  # how often they wanted introductions
    if mine:
        await session.exec(
            update(Introduction)
            .where(
                col(Introduction.id).in_(mine),
                col(Introduction.id).not_in(
                    select(IntroMember.introduction_id).where(
                        col(IntroMember.introduction_id).in_(mine)
                    )
                ),
            )
            .values(topics="")
        )
