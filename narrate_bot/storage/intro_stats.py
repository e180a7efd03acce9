"""Outcome figures for ``/narrate stats``: counts of introductions and ties, never of people."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .intro_repo import MET
from .intro_tables import Introduction, IntroFeedback, IntroMember, IntroParticipant
from .repositories import suggestable
from .tables import Narration, Person


@dataclass(frozen=True)
class Outcomes:
    suggested: int
    happened: int
    questions_answered: int  # introductions that answered someone's question and happened
    cross_team_ties: int  # distinct pairs of teams that met through an introduction
    participants_by_team: dict[str, int]
    happened_by_team: dict[str, int]


async def outcomes(session: AsyncSession, *, tenant_id: int, now: datetime) -> Outcomes:
    # Suggested to someone: introductions that went out (``delivered_at``), as follow-ups, pace,
    # the no-repeat window and whether a round happened count them. One whose every post was
    # refused or failed was suggested to nobody; one a group DM reached part of before its
    # send to the rest failed was.
    suggested = (
        await session.exec(
            select(func.count())
            .select_from(Introduction)
            .where(Introduction.tenant_id == tenant_id, col(Introduction.delivered_at).is_not(None))
        )
    ).one()
    # The introductions that happened stay a subquery: carried through Python as a list of ids
    # they became 30,000 bound parameters, 27-32 s on PostgreSQL (scale review).
    # Only of those suggested (went out): happened, its ties, teams and answered questions never
    # count one that reached nobody (a "met" kept for it before it was refused).
    met = (
        select(IntroFeedback.introduction_id)
        .join(Introduction, col(Introduction.id) == col(IntroFeedback.introduction_id))
        .where(
            Introduction.tenant_id == tenant_id,
            col(Introduction.delivered_at).is_not(None),
            IntroFeedback.outcome == MET,
        )
        .distinct()
    )
    happened = (await session.exec(select(func.count()).select_from(met.subquery()))).one()
    answering = (
        await session.exec(
            select(func.count())
            .select_from(Introduction)
            .where(col(Introduction.id).in_(met), col(Introduction.answers_question))
        )
    ).one()
    teams_of: dict[int, set[str]] = defaultdict(set)
    if happened:
        for introduction_id, team in await session.exec(
            select(IntroMember.introduction_id, IntroMember.team).where(
                col(IntroMember.introduction_id).in_(met)
            )
        ):
            if team:
                teams_of[introduction_id].add(team)
    ties = {frozenset((x, y)) for teams in teams_of.values() for x in teams for y in teams if x < y}
    happened_by_team: dict[str, int] = defaultdict(int)
    for teams in teams_of.values():
        for team in teams:
            happened_by_team[team] += 1
    # Taking part as the README has it: joined introductions, not paused, and narrated. Counting
    # everyone who ever joined would show a team's own figure while fewer than five of its people
    # could be introduced at all, near enough a figure per person.
    # Per person, through the person's own narration index: an ``IN (SELECT person_id …)``
    # over the tenant scanned every narration (1.7 s at 300,000, in the weekly job's lock).
    narrated = exists().where(col(Narration.person_id) == col(Person.id))
    participants_by_team: dict[str, int] = defaultdict(int)
    for team in await session.exec(
        select(Person.team)
        .join(IntroParticipant, col(IntroParticipant.person_id) == col(Person.id))
        .where(Person.tenant_id == tenant_id, suggestable(now), narrated)
    ):
        if team:
            participants_by_team[team] += 1
    return Outcomes(
        suggested=suggested,
        happened=happened,
        questions_answered=answering,
        cross_team_ties=len(ties),
        participants_by_team=dict(participants_by_team),
        happened_by_team=dict(happened_by_team),
    )
