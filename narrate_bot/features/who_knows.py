"""Answering "who knows about X?" with people, evidence the asker may read, and why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from ..events import ChannelKind, MessageReceived
from ..knowledge.durations import humanize_age
from ..knowledge.ranking import RankedPerson, rank_people
from ..knowledge.words import query_terms, search_terms
from ..replies import Reply, Visibility
from ..storage import repositories as repo
from ..storage.database import Session
from ..storage.search import find_evidence
from ..storage.tables import Channel, Narration, Person
from .narrate import snippet
from .turn import Turn

MAX_PEOPLE = 5


@dataclass(frozen=True)
class Answer:
    """One ranked person with the narrations shown as evidence."""

    person: Person
    ranked: RankedPerson
    evidence: list[tuple[Narration, Channel]]


async def find_experts(
    session: Session,
    *,
    dialect: str,
    tenant_id: int,
    viewer_user_id: str,
    answer_channel_pk: int | None,
    question: str,
    now: datetime,
    before: datetime | None = None,
    limit: int = MAX_PEOPLE,
    exclude_person_ids: frozenset[int] = frozenset(),
    boosts: Mapping[int, float] | None = None,
) -> list[RankedPerson]:
    """The ranking every surface uses (chat answers and ``narrate-bot eval expertise``).

    ``before`` (exclusive) limits the evidence to narrations written earlier; the evaluation
    sets it to the question's time, the bot leaves it open. ``exclude_person_ids`` (people who
    hid themselves from this topic) and ``boosts`` (person id → score factor, for people who
    declared the topic) are honoured before the cut to ``limit``.
    """
    evidence = await find_evidence(
        session,
        dialect=dialect,
        tenant_id=tenant_id,
        viewer_user_id=viewer_user_id,
        answer_channel_pk=answer_channel_pk,
        terms=search_terms(question),
        now=now,
        before=before,
    )
    return rank_people(
        evidence.hits,
        now=before or now,
        limit=limit,
        exclude=exclude_person_ids,
        boosts=boosts,
        term_weights=evidence.term_weights,
        activity=evidence.activity,
    )


async def answer(turn: Turn, topic: str) -> list[Reply]:
    topic = " ".join(topic.split())
    public_answer = isinstance(turn.event, MessageReceived) and not turn.in_dm
    if not query_terms(topic):
        text = "Who knows about what? Ask me like this: who knows about kafka?"
        return [_answer_reply(turn, text, public_answer, {})]
    async with turn.db.transaction() as session:
        tenant = await turn.tenant(session)
        channel = await turn.channel(session, tenant)
        assert tenant.id is not None
        ranked = await find_experts(
            session,
            dialect=turn.db.dialect,
            tenant_id=tenant.id,
            viewer_user_id=turn.event.user.user_id,
            answer_channel_pk=channel.id if public_answer else None,
            question=topic,
            now=turn.now,
        )
        people = await repo.people_by_id(session, ids=[r.person_id for r in ranked])
        evidence_ids = [h.narration_id for r in ranked for h in r.evidence]
        narrations = {n.id: n for n in [await session.get(Narration, i) for i in evidence_ids] if n}
        channels = await repo.channels_by_pk(
            session, pks=[n.channel_pk for n in narrations.values()]
        )
    answers = [
        Answer(
            person=people[r.person_id],
            ranked=r,
            evidence=[
                (narrations[h.narration_id], channels[narrations[h.narration_id].channel_pk])
                for h in r.evidence
                if h.narration_id in narrations
            ],
        )
        for r in ranked
        if r.person_id in people
    ]
    if not answers:
        text = (
            f"I couldn't find anyone who narrated about “{topic}” in places you can read. "
            "Try a broader or different word. If you know about it yourself, /narrate it so "
            "others can find you."
        )
        return [_answer_reply(turn, text, public_answer, {})]
    lines = [f"Who knows about “{topic}”:"]
    names: dict[str, str] = {}
    for position, item in enumerate(answers, start=1):
        person = item.person
        names[person.user_id] = person.display_name or person.user_id
        team = f" ({person.team})" if person.team else ""
        times = f"{item.ranked.matches} time{'s' if item.ranked.matches != 1 else ''}"
        lines.append(
            f"{position}. <@{person.user_id}>{team}: narrated about it {times}, "
            f"last {humanize_age(turn.now - item.ranked.last_at)}"
        )
        for narration, where in item.evidence:
            lines.append(
                f"   • “{snippet(narration.text, 120)}” ({narration.created_at:%Y-%m-%d}, "
                f"{_where(where)})"
            )
    return [_answer_reply(turn, "\n".join(lines), public_answer, names)]


def _where(channel: Channel) -> str:
    if channel.kind == ChannelKind.DIRECT.value:
        return "shared by them"
    if channel.kind == ChannelKind.PRIVATE.value:
        return f"#{channel.name}, private"
    return f"#{channel.name}"


def _answer_reply(turn: Turn, text: str, public: bool, names: dict[str, str]) -> Reply:
    if public:
        return Reply(text=text, visibility=Visibility.CHANNEL, in_thread=True, names=names)
    base = turn.reply(text)
    return base.model_copy(update={"names": names})
