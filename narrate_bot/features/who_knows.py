"""Answering "who knows about X?" with people, evidence the asker may read, and why."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from ..events import ChannelKind, MessageReceived
from ..knowledge.asks import find_ask
from ..knowledge.durations import Calendar
from ..knowledge.matched_words import group_labels, term_groups, within_path
from ..knowledge.ranking import RankedPerson, rank_people
from ..knowledge.words import SearchTerm, search_terms
from ..questions import about_person, unsearchable
from ..replies import Button, Named, Quote, Reply, Visibility
from ..storage import privacy, who_knows_repo
from ..storage import repositories as repo
from ..storage.database import DatabaseBusy, Session
from ..storage.search import find_evidence
from ..storage.tables import Channel, Narration, Person, Tenant
from . import expertise_prefs, open_questions
from .intros import note_question, notes_question
from .narrate import snippet, written_where
from .narration_copies import QUOTED
from .turn import Turn, reader_calendar

log = logging.getLogger(__name__)

MAX_PEOPLE = 5
# "This helped", under an answer that names people: only its asker may say so, once.
HELPED_LABEL = "This helped"
HELPED_COMMAND = "/narrate helped"
HELPED_ASK = (
    "Did this answer help? Tell me with the button, only you see it: /narrate stats counts "
    "the answers that helped for the whole workspace, never who asked or who was suggested."
)
HELPED_THANKS = (
    "Thanks: counted once, for the whole workspace. /narrate stats shows how many who-knows "
    "answers helped; it never names who asked or who was suggested."
)
HELPED_ALREADY = "Already counted: you said this answer helped. Once is enough."
HELPED_NOT_YOURS = (
    "Only the person who asked can say this answer helped them. Nothing was counted. Ask "
    "/narrate who <topic> for an answer of your own."
)
HELPED_UNKNOWN = (
    "I can't find that answer any more (its asker may have asked to be forgotten), so nothing "
    "was counted."
)
FORGOTTEN_ASKING = (
    "Your forget-me went through just as this arrived: I answered, and kept nothing about you "
    "from this question."
)
# The why-line names at most this many different counts of the question's words, in at most
# this many characters of words; words that would run longer are left out (the evidence shows
# them), and when not even the first count fits it reads "narrated about it".
ABOUT_CHARS = 50
ABOUT_GROUPS = 3


@dataclass(frozen=True)
class Answer:
    """One ranked person with the narrations shown as evidence."""

    person: Person
    ranked: RankedPerson
    evidence: list[tuple[Narration, Channel]]
    only_asked: bool = False  # every narration matching the question asks about it


@dataclass(frozen=True)
class Experts:
    """The ranked people, and the terms their hits' ``terms`` index: the asker's
    (``asked_terms``), then the words query expansion borrowed."""

    people: list[RankedPerson]
    terms: list[SearchTerm]
    asked_terms: frozenset[int]


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
    """The ranking every surface uses (chat answers and ``narrate-bot eval expertise``); see
    ``rank_experts``."""
    experts = await rank_experts(
        session,
        dialect=dialect,
        tenant_id=tenant_id,
        viewer_user_id=viewer_user_id,
        answer_channel_pk=answer_channel_pk,
        question=question,
        now=now,
        before=before,
        limit=limit,
        exclude_person_ids=exclude_person_ids,
        boosts=boosts,
    )
    return experts.people


async def rank_experts(
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
) -> Experts:
    """The ranked people, with the terms an answer needs to say what their evidence is about.

    ``before`` (exclusive) limits the evidence to narrations written earlier; the evaluation
    sets it to the question's time, the bot leaves it open. ``exclude_person_ids`` (people who
    hid themselves from this topic) and ``boosts`` (person id → score factor, for people who
    declared the topic) are honoured before the cut to ``limit``. Only people with a match on a
    word (or path) of the question are ranked; words borrowed by query expansion re-rank them.
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
    ranked = rank_people(
        evidence.hits,
        now=before or now,
        limit=limit,
        exclude=exclude_person_ids,
        boosts=boosts,
        term_weights=evidence.term_weights,
        area_terms=evidence.area_terms,
        asked_terms=evidence.asked_terms,
        term_idfs=evidence.term_idfs,
    )
    return Experts(people=ranked, terms=evidence.terms, asked_terms=evidence.asked_terms)


async def only_asked(
    session: Session, experts: Experts, *, read: Mapping[int, Narration] | None = None
) -> frozenset[int]:
    """The ranked people whose every narration matching the question's words asks about them
    ("stuck on X", "anyone know X?": ``asks.find_ask``): an answer says they asked about it,
    not that they narrate about it, as if they knew. Only the wording: the ranking is as it was.

    ``read`` holds narrations already read; others are read one by one, each person's only up
    to their first that doesn't ask (for someone who knows the topic, usually the first).
    """
    known = dict(read or {})
    result: set[int] = set()
    for ranked in experts.people:
        matching = [h for h in ranked.hits if h.terms & experts.asked_terms]
        for hit in matching:
            narration = known.get(hit.narration_id) or await session.get(
                Narration, hit.narration_id
            )
            if narration is None or find_ask(narration.text) is None:
                break
        else:
            if matching:
                result.add(ranked.person_id)
    return frozenset(result)


async def answer(turn: Turn, topic: str) -> list[Reply]:
    replies = await _answer(turn, topic)
    if turn.forgotten:
        # Apart from the answer, which may be posted in the channel: that someone asked to be
        # forgotten is theirs to know.
        replies.append(turn.reply(FORGOTTEN_ASKING))
    return replies


async def _answer(turn: Turn, topic: str) -> list[Reply]:
    topic = " ".join(topic.split())
    # In a channel shared with other organisations the answer goes to the asker alone: its
    # evidence comes from the workspace's channels, which those readers can't open.
    public_answer = (
        isinstance(turn.event, MessageReceived) and not turn.in_dm and not turn.event.channel.shared
    )
    if (unclear := unsearchable(topic)) is not None:
        if about_person(topic) is not None:
            return [turn.reply(unclear)]  # to the asker alone: in the channel it would ping them
        return [_answer_reply(turn, unclear, public_answer, {})]
    async with turn.db.snapshot() as session:
        # First of all: the answer is kept only if no forget-me ran since (``_record``).
        mark = await privacy.erasure_mark(
            session,
            platform=turn.event.tenant.platform.value,
            external_id=turn.event.tenant.tenant_id,
        )
        # Nothing to write first (the usual case): the answer is read from one snapshot, which
        # on SQLite waits for no writer (``Turn.settled``).
        settled = await turn.settled(session, in_channel=True)
        if settled is not None:
            assert settled.channel is not None
            public_answer = public_answer and not settled.channel.shared
            found = await _look_up(
                turn, session, settled.tenant, settled.channel, topic, public_answer
            )
            calendar = await reader_calendar(
                session, tenant_id=found.tenant_id, person=settled.person, now=turn.now
            )
            noting = await notes_question(session, person=settled.person, question=topic)
    recorded = False  # the answer kept, for its "This helped" button
    if settled is None:
        async with turn.db.transaction() as session:
            tenant = await turn.tenant(session)
            # The asker's row before anything about them is written (the membership of a private
            # channel, the question's topics for their introductions, "back" if departed): a
            # forget-me on another replica then erases it too, or went first and the question is
            # answered as for someone the bot doesn't know, recording nothing (Turn.still_here).
            asking = await turn.still_here(session, tenant)
            channel = await turn.channel(session, tenant)
            public_answer = public_answer and not channel.shared
            found = await _look_up(turn, session, tenant, channel, topic, public_answer)
            # Asking is using the bot: back if departed.
            asker = await turn.known_person(session) if asking else None
            await note_question(session, person=asker, question=topic, turn=turn)
            calendar = await reader_calendar(
                session, tenant_id=found.tenant_id, person=asker, now=turn.now
            )
            if asking and _names_anyone(found):
                recorded = await _record(session, turn, found.tenant_id, topic, mark)
    elif noting or _names_anyone(found):
        recorded = await _record_alone(
            turn, settled.tenant, topic, mark, noting=noting, names_anyone=_names_anyone(found)
        )
    experts, chosen, ranked = found.experts, found.chosen, found.experts.people
    people, narrations, channels, offer = (
        found.people,
        found.narrations,
        found.channels,
        found.offer,
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
            only_asked=r.person_id in found.only_asked,
        )
        for r in ranked
        if r.person_id in people
    ]
    if not answers:
        if offer is None:  # ranked people vanished mid-question: still offer the channel
            async with turn.db.snapshot() as session:
                offer = await open_questions.offer(
                    session,
                    tenant_id=found.tenant_id,
                    question=topic,
                    asker=turn.event.user.user_id,
                )
        # Not offered for the channel's stored flags: the platform is asked, once, first.
        offer = await open_questions.confirmed(
            turn, offer, tenant_id=found.tenant_id, question=topic
        )
        text = f"I couldn't find anyone who narrated about “{topic}” in places you can read. "
        if public_answer:
            # Answered here, only what everyone in the channel may read counts; a private
            # answer may also use what the asker alone may read.
            text = (
                f"I couldn't find anyone who narrated about “{topic}” in places everyone here "
                f"can read. Ask /narrate who {topic} for an answer only you see, which can also "
                "use what you alone may read. "
            )
        text += (
            "Try a broader or different word. If you know about it yourself, /narrate it so "
            "others can find you."
        )
        if public_answer:
            # The offer is the asker's alone: it may name a private open-questions channel
            # (to them, a member), and its button posts the question as whoever clicks it.
            return [
                _answer_reply(turn, text, True, {}),
                turn.reply(offer.text, buttons=offer.buttons),
            ]
        reply = _answer_reply(turn, f"{text}\n{offer.text}", False, {})
        return [reply.model_copy(update={"buttons": offer.buttons})]
    lines = [f"Who knows about “{topic}”:"]
    names: dict[str, str] = {}
    quotes: list[Quote] = []
    for position, item in enumerate(answers, start=1):
        person = item.person
        names[person.user_id] = person.display_name or person.user_id
        lines.append(f"{position}. <@{person.user_id}>: {_why(item, experts, chosen, calendar)}")
        for narration, where in item.evidence:
            line = (
                f"   • “{snippet(narration.text, QUOTED)}” "
                f"({calendar.dated(narration.created_at)}, "
                f"{narration.link or written_where(where, named=where.id in found.named)})"
            )
            lines.append(line)
            if narration.id is not None:
                quotes.append(Quote(narration_id=narration.id, line=line))
    reply = _answer_reply(turn, "\n".join(lines), public_answer, names)
    # Where the adapter posts it, the answer then follows its quotes (``answer_copies``). Kept
    # past a rate limit, it goes as it was only while each person it names would still be
    # named: not paused, left, gone or hidden from the question since (``Reply.people``).
    named = tuple(
        Named(person_id=item.person.id, question=topic)
        for item in answers
        if item.person.id is not None
    )
    update = {"quotes": tuple(quotes), "erasure_mark": mark, "people": named}
    reply = reply.model_copy(update=update)
    if not recorded or turn.forgotten:
        return [reply]
    token = _token(turn, found.tenant_id, topic)
    # Kept under the asker's user id as no forget-me had run: the keeping tells the asker's own
    # forget-me since from someone else's by it (``answer_copies``).
    reply = reply.model_copy(update={"recorded_as": token})
    helped = (Button(label=HELPED_LABEL, command=f"{HELPED_COMMAND} {token}"),)
    if public_answer:
        # The answer is in the channel's thread, for everyone there; the button is the asker's
        # alone, so it goes to them privately (``helped`` checks the clicker all the same).
        # Kept for later with the answer, it goes only after the answer as it was.
        ask = turn.reply(HELPED_ASK, buttons=helped).model_copy(update={"after_answer": True})
        return [reply, ask]
    return [reply.model_copy(update={"buttons": helped})]


def _names_anyone(found: _Found) -> bool:
    return any(r.person_id in found.people for r in found.experts.people)


def _token(turn: Turn, tenant_id: int, topic: str) -> str:
    """Which answer a "This helped" button is about: the same for the same asker, question,
    place and moment (a replica or a retry of the same question gives the same answer), and
    not a number anyone could count on to learn how many answers a workspace was given."""
    where = turn.event.channel.channel_id
    seed = f"{tenant_id}|{where}|{turn.event.user.user_id}|{topic}|{turn.now.isoformat()}"
    return "wk" + hashlib.sha256(seed.encode()).hexdigest()[:12]


async def _record(
    session: Session, turn: Turn, tenant_id: int, topic: str, mark: str | None
) -> bool:
    """Keep the answer, for its button: whether it is kept. Not when a forget-me in the
    workspace committed since the question began (``mark``): the asker may have no person row
    for ``Turn.still_here`` to hold, and their user id would outlive their erasure."""
    user_id = turn.event.user.user_id
    if not await privacy.hold_user_id(session, tenant_id=tenant_id, user_id=user_id, mark=mark):
        return False
    await who_knows_repo.record(
        session,
        tenant_id=tenant_id,
        token=_token(turn, tenant_id, topic),
        asker_user_id=user_id,
        now=turn.now,
    )
    return True


async def _record_alone(
    turn: Turn, tenant: Tenant, topic: str, mark: str | None, *, noting: bool, names_anyone: bool
) -> bool:
    """Keep what a question read without writing anything leaves to write: its topics, for a
    participant's introductions (``noting``), and the answer, for its button, when it names
    anyone; after the answer was read, under the hold every write about the asker takes.
    Whether the answer is kept.

    Neither is worth the answer: while another connection holds SQLite's write lock past the
    busy timeout the answer goes out all the same, with its button if the same answer was kept
    before (a retry), else without one, and the question's topics are left out of their
    introductions this once.
    """
    assert tenant.id is not None
    try:
        async with turn.db.transaction() as session:
            if not await turn.still_here(session, tenant):
                return False
            if noting:
                asker = await turn.known_person(session)
                await note_question(session, person=asker, question=topic, turn=turn)
            if not names_anyone:
                return False
            return await _record(session, turn, tenant.id, topic, mark)
    except DatabaseBusy:
        log.warning("a who-knows question's answer or topics weren't kept: the database was busy")
        if not names_anyone:
            return False
        async with turn.db.snapshot() as session:
            token = _token(turn, tenant.id, topic)
            found = await who_knows_repo.find(session, tenant_id=tenant.id, token=token)
            return found is not None and found.asker_user_id == turn.event.user.user_id


async def helped(turn: Turn, token: str) -> list[Reply]:
    """The asker says a who-knows answer helped them: counted once, whoever clicks again or
    wherever (a replica, a retried click). Anyone else's click counts nothing."""
    async with turn.db.transaction() as session:
        tenant = await turn.tenant(session)
        assert tenant.id is not None
        answer = await who_knows_repo.find(session, tenant_id=tenant.id, token=token.strip())
        if answer is None or answer.id is None:
            return [turn.reply(HELPED_UNKNOWN)]
        if answer.asker_user_id != turn.event.user.user_id:
            return [turn.reply(HELPED_NOT_YOURS)]
        if not await turn.still_here(session, tenant):
            return [turn.reply(HELPED_UNKNOWN)]
        first = await who_knows_repo.mark_helped(session, answer_id=answer.id, now=turn.now)
    return [turn.reply(HELPED_THANKS if first else HELPED_ALREADY)]


@dataclass(frozen=True)
class _Found:
    """What an answer is made of, read in one session."""

    tenant_id: int
    chosen: expertise_prefs.QuestionPreferences
    experts: Experts
    people: dict[int, Person]
    narrations: dict[int, Narration]
    channels: dict[int, Channel]
    offer: open_questions.Offer | None
    only_asked: frozenset[int]
    named: frozenset[int]  # the private channels the answer may name (``_named``)


async def _look_up(
    turn: Turn, session: Session, tenant: Tenant, channel: Channel, topic: str, public: bool
) -> _Found:
    """The ranked people and their evidence, as the session reads them; with nobody to
    suggest, the offer to ask in the open-questions channel instead."""
    assert tenant.id is not None
    chosen = await expertise_prefs.for_question(session, tenant_id=tenant.id, question=topic)
    experts = await rank_experts(
        session,
        dialect=turn.db.dialect,
        tenant_id=tenant.id,
        viewer_user_id=turn.event.user.user_id,
        answer_channel_pk=channel.id if public else None,
        question=topic,
        now=turn.now,
        exclude_person_ids=chosen.hidden,
        boosts=chosen.boosts,
    )
    ranked = experts.people
    people = await repo.people_by_id(session, ids=[r.person_id for r in ranked])
    evidence_ids = [h.narration_id for r in ranked for h in r.evidence]
    narrations = {n.id: n for n in [await session.get(Narration, i) for i in evidence_ids] if n}
    channels = await repo.channels_by_pk(session, pks=[n.channel_pk for n in narrations.values()])
    known = {i: n for i, n in narrations.items() if i is not None}
    offer = (
        await open_questions.offer(
            session, tenant_id=tenant.id, question=topic, asker=turn.event.user.user_id
        )
        if not ranked
        else None
    )
    return _Found(
        tenant_id=tenant.id,
        chosen=chosen,
        experts=experts,
        people=people,
        narrations=known,
        channels=channels,
        offer=offer,
        only_asked=await only_asked(session, experts, read=known),
        named=await _named(
            session, turn, channels.values(), answer_channel_pk=channel.id if public else None
        ),
    )


async def _named(
    session: Session, turn: Turn, channels: Iterable[Channel], *, answer_channel_pk: int | None
) -> frozenset[int]:
    """The private channels of the evidence whose names every reader of the answer may read:
    the asker's own (a shared narration may come from one they aren't in); in a channel, only
    that channel itself (its other readers needn't be in any other)."""
    private = [c.id for c in channels if c.kind == ChannelKind.PRIVATE.value and c.id is not None]
    if answer_channel_pk is not None:
        return frozenset(pk for pk in private if pk == answer_channel_pk)
    user_id = turn.event.user.user_id
    return frozenset(
        [pk for pk in private if await repo.is_member(session, channel_pk=pk, user_id=user_id)]
    )


def _why(
    item: Answer,
    experts: Experts,
    chosen: expertise_prefs.QuestionPreferences,
    calendar: Calendar,
) -> str:
    """One line a person can check: how often, how recently, which team, and any boost."""
    asked = [h for h in item.ranked.hits if h.terms & experts.asked_terms]
    members = term_groups(asked, experts.terms, experts.asked_terms)
    groups = [(group_labels(experts.terms, group), count) for group, count in members]
    shown = _shown(groups, _lifting(item.ranked.lifted_by, members, experts))
    if not shown:  # one long list of words, all in the same narrations
        shown = [(["it"], groups[0][1] if groups else len(asked))]
    about = _listing(
        [f"{_listing(named)} {count} time{'s' if count != 1 else ''}" for named, count in shown]
    )
    last = max(h.created_at for h in asked)
    said = "asked about" if item.only_asked else "narrated about"
    parts = [f"{said} {about}, last {calendar.age(last)}"]
    if item.person.team:
        parts.append(f"team {item.person.team}")
    if item.person.id in chosen.boosts:
        parts.append("asks to be asked about it")
    return "; ".join(parts)


def _shown(
    groups: list[tuple[list[str], int]], lifting: tuple[int, list[str]] | None
) -> list[tuple[list[str], int]]:
    """The word groups a why-line names: the most matched first, at most ABOUT_GROUPS in at
    most ABOUT_CHARS of words. ``lifting`` (a group's place, and how to name it on its own)
    is the question's rarest word that moved the person up: always named, last if it
    wouldn't be otherwise, in place of the groups it has no room beside."""
    shown: list[int] = []
    for place in range(min(len(groups), ABOUT_GROUPS)):
        if _chars([groups[i] for i in [*shown, place]]) > ABOUT_CHARS:
            break
        shown.append(place)
    if lifting is None or lifting[0] in shown:
        return [groups[i] for i in shown]
    place, alone = lifting
    group = groups[place]
    if _chars([group]) > ABOUT_CHARS:
        group = (alone, group[1])
    kept: list[tuple[list[str], int]] = []
    for i in shown[: ABOUT_GROUPS - 1]:
        if _chars([*kept, groups[i], group]) > ABOUT_CHARS:
            break
        kept.append(groups[i])
    return [*kept, group]


def _chars(groups: list[tuple[list[str], int]]) -> int:
    return len(" and ".join(word for named, _ in groups for word in named))


def _lifting(
    word: int | None, members: list[tuple[list[int], int]], experts: Experts
) -> tuple[int, list[str]] | None:
    """The place among ``members`` of the group naming ``word`` (or the path standing for it),
    and the word's own name."""
    if word is None or word >= len(experts.terms):
        return None
    term = experts.terms[word]
    for place, (group, _) in enumerate(members):
        if word in group or any(
            experts.terms[i].path and within_path(term, experts.terms[i]) for i in group
        ):
            return place, group_labels(experts.terms, [word])
    return None


def _listing(items: list[str]) -> str:
    return " and ".join(items) if len(items) < 3 else f"{', '.join(items[:-1])} and {items[-1]}"


def _answer_reply(turn: Turn, text: str, public: bool, names: dict[str, str]) -> Reply:
    if public:
        return Reply(text=text, visibility=Visibility.CHANNEL, in_thread=True, names=names)
    base = turn.reply(text)
    return base.model_copy(update={"names": names})
