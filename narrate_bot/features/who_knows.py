"""Answering "who knows about X?" with people, evidence the asker may read, and why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from ..events import ChannelKind, MessageReceived
from ..knowledge.durations import humanize_age
from ..knowledge.ranking import RankedPerson, rank_people
from ..knowledge.topic_match import matched_terms
from ..knowledge.words import query_terms, search_terms
from ..replies import Reply, Visibility
from ..storage import repositories as repo
from ..storage.database import Session
from ..storage.search import find_evidence
from ..storage.tables import Channel, Narration, Person
from . import expertise_prefs, open_questions
from .intros import note_question
from .narrate import snippet
from .turn import Turn

MAX_PEOPLE = 5
# Longer lists of matched words read better as "narrated about it".
ABOUT_CHARS = 40


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
        area_terms=evidence.area_terms,
    )


async def answer(turn: Turn, topic: str) -> list[Reply]:
    topic = " ".join(topic.split())
    # In a channel shared with other organisations the answer goes to the asker alone: its
    # evidence comes from the workspace's channels, which those readers can't open.
    public_answer = (
        isinstance(turn.event, MessageReceived) and not turn.in_dm and not turn.event.channel.shared
    )
    if not query_terms(topic):
        text = "Who knows about what? Ask me like this: who knows about kafka?"
        return [_answer_reply(turn, text, public_answer, {})]
    async with turn.db.transaction() as session:
        tenant = await turn.tenant(session)
        channel = await turn.channel(session, tenant)
        assert tenant.id is not None
        public_answer = public_answer and not channel.shared
        chosen = await expertise_prefs.for_question(session, tenant_id=tenant.id, question=topic)
        ranked = await find_experts(
            session,
            dialect=turn.db.dialect,
            tenant_id=tenant.id,
            viewer_user_id=turn.event.user.user_id,
            answer_channel_pk=channel.id if public_answer else None,
            question=topic,
            now=turn.now,
            exclude_person_ids=chosen.hidden,
            boosts=chosen.boosts,
        )
        asker = await repo.find_person(
            session, tenant_id=tenant.id, user_id=turn.event.user.user_id
        )
        await note_question(session, person=asker, question=topic, turn=turn)
        people = await repo.people_by_id(session, ids=[r.person_id for r in ranked])
        evidence_ids = [h.narration_id for r in ranked for h in r.evidence]
        narrations = {n.id: n for n in [await session.get(Narration, i) for i in evidence_ids] if n}
        channels = await repo.channels_by_pk(
            session, pks=[n.channel_pk for n in narrations.values()]
        )
        offer = (
            await open_questions.offer(session, tenant_id=tenant.id, question=topic)
            if not ranked
            else None
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
        if offer is None:  # ranked people vanished mid-question: still offer the channel
            async with turn.db.transaction() as session:
                offer = await open_questions.offer(session, tenant_id=tenant.id, question=topic)
        text = (
            f"I couldn't find anyone who narrated about “{topic}” in places you can read. "
            "Try a broader or different word. If you know about it yourself, /narrate it so "
            f"others can find you.\n{offer.text}"
        )
        reply = _answer_reply(turn, text, public_answer, {})
        return [reply.model_copy(update={"buttons": offer.buttons})]
    lines = [f"Who knows about “{topic}”:"]
    names: dict[str, str] = {}
    for position, item in enumerate(answers, start=1):
        person = item.person
        names[person.user_id] = person.display_name or person.user_id
        lines.append(f"{position}. <@{person.user_id}>: {_why(turn, item, topic, chosen)}")
        for narration, where in item.evidence:
            lines.append(
                f"   • “{snippet(narration.text, 120)}” ({narration.created_at:%Y-%m-%d}, "
                f"{narration.link or _where(where)})"
            )
    return [_answer_reply(turn, "\n".join(lines), public_answer, names)]


def _why(turn: Turn, item: Answer, topic: str, chosen: expertise_prefs.QuestionPreferences) -> str:
    """One line a person can check: how often, how recently, which team, and any boost."""
    shown = matched_terms(topic, [n.text for n, _ in item.evidence])
    about = " and ".join(shown) if shown else "it"
    if len(about) > ABOUT_CHARS:
        about = "it"
    count = item.ranked.matches
    parts = [
        f"narrated about {about} {count} time{'s' if count != 1 else ''}, "
        f"last {humanize_age(turn.now - item.ranked.last_at)}"
    ]
    if item.person.team:
        parts.append(f"team {item.person.team}")
    if item.person.id in chosen.boosts:
        parts.append("asks to be asked about it")
    return "; ".join(parts)


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
