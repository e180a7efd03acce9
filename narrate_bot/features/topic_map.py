"""``/narrate topics``: the workspace's living map of who narrates what, lately.

Built at question time from the narrations the asker may read (``visible_to``), so the map
never shows a private channel's topics to outsiders nor anyone's DMs. Paused and departed people
are left out, as are people who hid themselves from a topic.

A topic more than half the people on the map narrate about (``topics.common_to_most``:
"quantum" on a quantum computing team) says what the workspace shares, not who knows what: it
is named on a line of its own, and the numbered map lists the subjects that tell people apart.
When every topic is one most narrate about, there is nothing to tell apart: the map numbers
them all, as it does for a handful of people.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

from ..knowledge.spellings import Spellings
from ..knowledge.topic_match import matches, narration_topic_stems
from ..knowledge.topics import common_to_most
from ..replies import Named, Reply
from ..storage import expertise_repo
from ..storage import repositories as repo
from ..storage.preference_tables import HIDE_ME
from .turn import Turn

WINDOW = timedelta(weeks=4)
MAX_TOPICS = 10
PEOPLE_PER_TOPIC = 5

# ``Reply.if_kept`` of the map: said instead when, kept past a rate limit, someone it lists
# would no longer be listed (paused, left, gone, hidden from the topic since).
HELD_BACK_MAP = (
    "I held back the topics map while I was asked to slow down, and who is on it changed "
    "since. Ask me again for an up-to-date one."
)


async def show(turn: Turn) -> list[Reply]:
    async with turn.reading() as session:
        tenant = await turn.tenant(session)
        assert tenant.id is not None
        rows = await expertise_repo.topic_people_counts(
            session,
            tenant_id=tenant.id,
            viewer_user_id=turn.event.user.user_id,
            since=turn.now - WINDOW,
            now=turn.now,
        )
        hidden: dict[int, list[str]] = defaultdict(list)
        for pref in await expertise_repo.tenant_preferences(
            session, tenant_id=tenant.id, kind=HIDE_ME
        ):
            hidden[pref.person_id].append(pref.topic)
        spellings = _spellings(rows)
        # Stemmed once per topic, and only for people who hide something: the window holds a
        # row per (topic, person), 80,000 of them for 300,000 narrations (scale review).
        topic_stems: dict[str, frozenset[str]] = {}
        per_topic: dict[str, Counter[int]] = defaultdict(Counter)
        for topic, person_id, count in rows:
            if hides := hidden.get(person_id):
                if topic not in topic_stems:
                    topic_stems[topic] = narration_topic_stems(topic)
                if any(matches(h, topic_stems[topic]) for h in hides):
                    continue
            per_topic[spellings.label(topic)][person_id] += count
        narrating = len({person_id for _, person_id, _ in rows})
        everyone = sorted(
            (item for item in per_topic.items() if common_to_most(len(item[1]), of=narrating)),
            key=lambda item: (-len(item[1]), -item[1].total(), item[0]),
        )
        common = {topic for topic, _ in everyone}
        everyone = everyone[:MAX_TOPICS]
        ranked = sorted(
            (item for item in per_topic.items() if item[0] not in common), key=_most_narrated
        )[:MAX_TOPICS]
        if not ranked:  # all they narrate is shared: that is who knows it, numbered
            ranked = sorted(per_topic.items(), key=_most_narrated)[:MAX_TOPICS]
            everyone = []
        wanted = {p for _, people in ranked for p, _ in people.most_common(PEOPLE_PER_TOPIC)}
        people = await repo.people_by_id(session, ids=wanted)
    if not ranked and not everyone:
        return [
            turn.reply(
                "Nothing narrated in the last 4 weeks that you can read yet. "
                "/narrate what you're working on and the map starts with you."
            )
        ]
    lines = ["What people here narrated about in the last 4 weeks (what you can read):"]
    names: dict[str, str] = {}
    on_map: list[Named] = []
    for position, (topic, counts) in enumerate(ranked, start=1):
        shown = []
        for person_id, count in counts.most_common(PEOPLE_PER_TOPIC):
            person = people[person_id]
            names[person.user_id] = person.display_name or person.user_id
            on_map.append(Named(person_id=person_id, topic=topic))
            shown.append(f"<@{person.user_id}> ({count})")
        more = len(counts) - len(shown)
        tail = f" and {more} more" if more > 0 else ""
        total = counts.total()
        lines.append(
            f"{position}. {topic}: {total} narration{'s' if total != 1 else ''} · "
            f"{', '.join(shown)}{tail}"
        )
    if everyone:
        named = [topic for topic, _ in everyone]
        listed = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"
        them = "it isn't" if len(named) == 1 else "they aren't"
        lines.append(f"Most people here narrate about {listed}, so {them} numbered above.")
    lines.append("Ask “who knows about <topic>?” for the evidence.")
    reply = turn.reply("\n".join(lines))
    # Kept past a rate limit, it goes as it is only while each person it lists for a topic
    # would still be listed for it (``Reply.people``); else the note asking again.
    update = {"names": names, "if_kept": HELD_BACK_MAP, "people": tuple(on_map)}
    return [reply.model_copy(update=update)]


def _most_narrated(item: tuple[str, Counter[int]]) -> tuple[int, int, str]:
    topic, counts = item
    return (-counts.total(), -len(counts), topic)


def _spellings(rows: list[tuple[str, int, int]]) -> Spellings:
    uses: Counter[str] = Counter()
    for topic, _, count in rows:
        uses[topic] += count
    return Spellings(uses)
