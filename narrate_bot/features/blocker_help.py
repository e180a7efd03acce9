"""A narration that asks for help or reports a blocker is pointed to the people who can help.

"Stuck on postgres vacuum tuning" is kept like any narration; its author's confirmation also
names up to ``MAX_NAMED`` people who narrate about the topic, found by the very search
``/narrate who <topic>`` runs for them (``who_knows.rank_experts``, answered privately):
only narrations the author may read count (public channels, private ones they are in, never
DMs, never another workspace), nobody paused, departed or hidden from the topic is named, nor
the author. People whose only narrations on it ask about it too ("@dave asked about it too")
come after those who narrate about it, and only fill places those leave. Someone matched on
only one of the topic's several words ("batch" of "stuck on the batch kafka acls") is named
with that word ("@bob narrates about batch"), after those who narrate about it. With nobody who
narrates about it, the workspace's open-questions channel is offered, when it has one the
author can post to. Guests get neither: they may not ask who knows. Only the author
sees any of it, in the confirmation that is already theirs alone; nobody named is told.

Cheap and harmless by construction: the search runs only for a narration ``asks.find_ask``
recognizes, after the narration is stored, and a search that fails leaves the confirmation as
it was (logged at DEBUG, without the text).
"""

from __future__ import annotations

import logging
import re

from ..knowledge.asks import Ask, find_ask
from ..knowledge.matched_words import within_path, word_groups
from ..knowledge.ranking import RankedPerson
from ..knowledge.topics import extract_topics
from ..replies import Named, Reply, Shown
from ..storage import repositories as repo
from ..storage.tables import Person
from . import expertise_prefs, members_only, open_questions
from .turn import Turn
from .who_knows import Experts, only_asked, rank_experts

log = logging.getLogger(__name__)

MAX_NAMED = 3
# How many ranked people are weighed for those places.
CANDIDATES = 2 * MAX_NAMED
# How many words are named for someone matched on only one of the topic's (a path or a run
# of Chinese, Japanese or Korean may read as more).
MAX_WORDS = 3
# Said after the confirmation, instead of who could help, when it is kept for later.
HELD_BACK_HELP = (
    "I held back who could help while I was asked to slow down: /narrate who {topic} shows them."
)


async def with_help(
    turn: Turn, reply: Reply, text: str, *, tenant_id: int, person_id: int
) -> Reply:
    """``reply`` (the author's confirmation of a narration just stored) with who could help,
    when ``text`` asks for help; otherwise, or if that can't be found out, ``reply`` as it was."""
    # A guest may not ask who knows, nor post to the open-questions channel (members_only):
    # the names would come from what members narrated where the guest can't read.
    if members_only.is_guest(turn):
        return reply
    ask = find_ask(text)
    if ask is None:
        return reply
    try:
        return await _pointed(turn, reply, ask, tenant_id=tenant_id, person_id=person_id)
    except Exception as problem:  # the narration is kept: only the suggestion is left out
        log.debug("no help suggested for a narration: %s", type(problem).__name__)
        return reply


async def _pointed(turn: Turn, reply: Reply, ask: Ask, *, tenant_id: int, person_id: int) -> Reply:
    asker = turn.event.user.user_id
    async with turn.db.snapshot() as session:
        chosen = await expertise_prefs.for_question(
            session, tenant_id=tenant_id, question=ask.topic
        )
        # As the author's own "/narrate who <topic>" would rank them, answered to them
        # alone (no answer channel): what they may read, nobody hidden from the topic. A few
        # more than are named, so that people who only asked about it too don't take the
        # places of people who narrate about it.
        experts = await rank_experts(
            session,
            dialect=turn.db.dialect,
            tenant_id=tenant_id,
            viewer_user_id=asker,
            answer_channel_pk=None,
            question=ask.topic,
            now=turn.now,
            limit=CANDIDATES,
            exclude_person_ids=chosen.hidden | {person_id},
            boosts=chosen.boosts,
        )
        found = await repo.people_by_id(session, ids=[r.person_id for r in experts.people])
        ranked = [(found[r.person_id], r) for r in experts.people if r.person_id in found]
        asking = await only_asked(session, experts) if ranked else frozenset()
        # What each matched of the topic's words: enough to be about it (``None``), or one.
        words = {p.id: _partly(r, experts) for p, r in ranked}
        # Who narrates about it first, then about one of its words, in the search's order;
        # then who only asked about it.
        knowing = [p for p, _ in ranked if p.id not in asking and words[p.id] is None]
        knowing += [p for p, _ in ranked if p.id not in asking and words[p.id] is not None]
        knowing = knowing[:MAX_NAMED]
        asked = [p for p, _ in ranked if p.id in asking][: MAX_NAMED - len(knowing)]
        people = [*knowing, *asked]
        # What names them: kept past a rate limit, they are named only while all of it holds.
        named = {p.id for p in people}
        matched = await repo.narrations_by_id(
            session, ids=[h.narration_id for p, r in ranked if p.id in named for h in r.hits]
        )
        shown = tuple(
            Shown(
                narration_id=i,
                edited_at=n.edited_at,
                created_at=n.created_at,
                author_id=n.person_id,
            )
            for i, n in matched.items()
        )
        # Nobody who narrates about it: the open-questions channel may still find someone, also
        # when others only asked about it too, or narrate about one of its words.
        offer = (
            None
            if any(words[p.id] is None for p in knowing)
            else await open_questions.offer(
                session, tenant_id=tenant_id, question=ask.topic, asker=asker
            )
        )
    if people:
        # Someone whose every narration on it asks about it too is named as asking, not as
        # someone who narrates about it (and so might know): the who-knows answer says so too.
        # Someone matched on only one of the topic's words ("batch" of "the batch kafka acls")
        # is said to narrate about that word, not about it.
        # The same for who only asked: "@bob asked about batch", not "about it too".
        whole = [p for p in knowing if words[p.id] is None]
        by_word = _by_word(knowing, words)
        asked_whole = [p for p in asked if words[p.id] is None]
        asked_by_word = _by_word(asked, words)
        said = [
            f"{_listing(whole)} narrate{'s' if len(whole) == 1 else ''} about it" if whole else "",
            *(
                f"{_listing(ps)} narrate{'s' if len(ps) == 1 else ''} about {_words(list(w))}"
                for w, ps in by_word.items()
            ),
            f"{_listing(asked_whole)} asked about it too" if asked_whole else "",
            *(f"{_listing(ps)} asked about {_words(list(w))}" for w, ps in asked_by_word.items()),
        ]
        line = (
            f"{ask.echo} {', and '.join(s for s in said if s)}: "
            f"/narrate who {_command_topic(ask.topic)} shows why. Only you see this; "
            "nobody was told."
        )
        names = {p.user_id: p.display_name or p.user_id for p in people}
        buttons = reply.buttons
        if offer is not None and offer.buttons:
            line = f"{line} {offer.text}"
            buttons = (*buttons, *offer.buttons)
        # Kept past a rate limit, the confirmation goes without the names when a narration
        # that found them is gone, edited or no longer the author's to read by then, or one of
        # them would no longer be named: paused, left, gone, hidden from it (``Reply.if_kept``).
        them = tuple(Named(person_id=p.id, question=ask.topic) for p in people if p.id is not None)
        later = f"{ask.echo} {HELD_BACK_HELP.format(topic=_command_topic(ask.topic))}"
        return reply.model_copy(
            update={
                "text": f"{reply.text}\n{line}",
                "names": {**reply.names, **names},
                "buttons": buttons,
                "if_kept": f"{reply.if_kept or reply.text}\n{later}",
                "shown": (*reply.shown, *shown),
                "people": (*reply.people, *them),
            }
        )
    # An offer that can't be made (no channel, a private one the author isn't in, one the bot
    # left) is no help to someone stuck: the confirmation stays as it was.
    if offer is None or not offer.buttons:
        return reply
    line = f"{ask.echo} I found nobody who narrates about it where you can read. {offer.text}"
    return reply.model_copy(
        update={"text": f"{reply.text}\n{line}", "buttons": (*reply.buttons, *offer.buttons)}
    )


# How a topic may open that a command to type needn't repeat: "why does …", "how do I …", "is
# there a way to …", a leading article ("the kafka consumer rebalancing").
_OPENING = re.compile(
    r"^(?:(?:is|are)\s+there\s+(?:a|any)\s+way\s+(?:to|of)\s+"
    r"|(?:what|which|where|when|why|how)(?:'s|\s+(?:does|do|did|is|are|was|were|can|could|"
    r"should|would|will|to))(?:\s+(?:i|we|one|there))?\s+"
    r"|(?:does|do|did|is|are|can|could|should|would|will|has|have)\s+"
    r"(?:(?:i|we|one|there)\s+|(?=(?:the|a|an)\s)))?"
    r"(?:(?:the|a|an)\s+)?",
    re.I,
)


def _command_topic(topic: str) -> str:
    """``topic`` as the ``/narrate who`` to type: without a leading question phrase or
    article, which the search leaves out anyway ("/narrate who why does the ledger export time
    out" read as a typo). The whole topic when what is left names nothing to search."""
    shorter = _OPENING.sub("", topic, count=1).strip()
    return shorter if shorter and extract_topics(shorter) else topic


def _partly(person: RankedPerson, experts: Experts) -> list[str] | None:
    """The topic's word ``person``'s narrations match, as the who-knows why-line names it, when
    they match only one of its several words ("batch" of "the batch kafka acls": a word that may
    be the topic's most generic); ``None`` when they match more, or the topic is one word (a
    word inside a matched path counts as matched)."""
    hits = [h for h in person.hits if h.terms & experts.asked_terms]
    asked = [i for i in sorted(experts.asked_terms) if i < len(experts.terms)]
    matched = {i for h in hits for i in h.terms if i in experts.asked_terms}
    paths = [experts.terms[j] for j in matched if experts.terms[j].path]
    covered = [
        i for i in asked if i in matched or any(within_path(experts.terms[i], p) for p in paths)
    ]
    if len(covered) >= min(2, len(asked)):
        return None
    groups = word_groups(hits, experts.terms, experts.asked_terms)
    return [label for named, _ in groups for label in named]


def _by_word(
    people: list[Person], words: dict[int | None, list[str] | None]
) -> dict[tuple[str, ...], list[Person]]:
    """``people`` matched on one of the topic's words, by that word, in their order."""
    by_word: dict[tuple[str, ...], list[Person]] = {}
    for p in people:
        if (matched := words[p.id]) is not None:
            by_word.setdefault(tuple(matched), []).append(p)
    return by_word


def _words(labels: list[str] | None) -> str:
    shown = list(labels or [])[:MAX_WORDS]
    return " and ".join(shown) if len(shown) < 3 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def _listing(people: list[Person]) -> str:
    named = [f"<@{p.user_id}>" for p in people]
    return " and ".join(named) if len(named) < 3 else f"{', '.join(named[:-1])} and {named[-1]}"
