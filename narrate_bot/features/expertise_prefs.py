"""Topics people choose for themselves: ``ask-me-about`` (a boost, shown as such in answers) and
``hide-me``/``unhide-me`` (never named in answers, on the topic map or in introductions, for
that topic).

Topics are matched to questions through ``knowledge.topic_match``: the same term split as the
search, plus a light stemmer, so case, accents, plurals and -ing/-ed forms don't matter.

A stored ``topic_key`` from before accents were folded may still hold them ("zürich"), so a
person's own topics are compared by the key of what they typed (``_key``), never the stored one,
and removed by whatever key they were stored under.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..knowledge.topic_match import (
    MAX_TOPIC_CHARS,
    asked_stems,
    clean_topic,
    long_cjk_runs,
    matches,
    narration_topic_stems,
    phrase_stems,
    split_topics,
    too_long,
    topic_key,
)
from ..replies import Reply
from ..storage import expertise_repo as prefs_repo
from ..storage.database import Session
from ..storage.preference_tables import ASK_ME, HIDE_ME, TopicPreference
from .consent import JOINED
from .turn import Turn

# A declared topic multiplies the ranking score: enough to lift a close second, not to make
# someone with one old mention outrank the person who narrates it every week.
ASK_ME_BOOST = 2.0
MAX_DECLARED = 20
MAX_HIDDEN = 50
_CLEAR_WORDS = {"clear", "none", "off", "reset"}
# "never-pair list" lists; people type the same after hide-me and ask-me-about, and a topic
# called "list" or "show" is far less likely than someone asking to see theirs.
_LIST_WORDS = {"list", "show"}


@dataclass(frozen=True)
class QuestionPreferences:
    """What people chose about one question: who is hidden from it and who asked to be asked."""

    hidden: frozenset[int] = frozenset()
    boosts: dict[int, float] = field(default_factory=dict)


async def for_question(session: Session, *, tenant_id: int, question: str) -> QuestionPreferences:
    # A listed phrase in any of its spellings (``phrase_stems``): whoever hid "file system" is
    # hidden from a question about "filesystem", as from the map's row of both.
    # The words a search reads inside "file_system" or "kafka_streams" too (``search_terms``
    # splits them): read whole, a hide of "file system" or "kafka" missed such a question while
    # the search still named whoever narrated them.
    spaced = question.replace("_", " ")
    asked = (
        asked_stems(question) | asked_stems(spaced) | phrase_stems(question) | phrase_stems(spaced)
    )
    if not asked:
        return QuestionPreferences()
    # The accented stems too, to find keys stored before folding; ``matches`` then folds both.
    candidates = asked | asked_stems(question, fold=False) | asked_stems(spaced, fold=False)
    # A longer CJK topic is found inside a run of the question (``matches``).
    runs = long_cjk_runs(question)
    chosen = [
        p
        for p in await prefs_repo.preferences_for_stems(
            session, tenant_id=tenant_id, stems=sorted(candidates), runs=runs
        )
        if matches(p.topic, asked)
    ]
    hidden = {p.person_id for p in chosen if p.kind == HIDE_ME}
    boosts = {
        p.person_id: ASK_ME_BOOST for p in chosen if p.kind == ASK_ME and p.person_id not in hidden
    }
    return QuestionPreferences(hidden=frozenset(hidden), boosts=boosts)


async def hidden_from_topic(session: Session, *, person_id: int, topic: str) -> bool:
    """Whether ``person_id`` hid themselves from ``topic``, a topic stored for narrations, as
    the topic map reads it (``narration_topic_stems``: hiding ".NET" hides a stored "net")."""
    stems = narration_topic_stems(topic)
    hides = await prefs_repo.preferences_of(session, person_id=person_id, kind=HIDE_ME)
    return any(matches(p.topic, stems) for p in hides)


def _listing(topics: Sequence[str]) -> str:
    return ", ".join(topics)


def _has_words(topic: str) -> bool:
    """Whether a topic has a letter or digit at all: "🚀" or "???" has nothing to match on, which
    is not the same trouble as "the" (a word, but too common)."""
    return any(char.isalnum() for char in topic)


def _unmatchable(topic: str) -> str:
    if not _has_words(topic):
        return (
            f"I match topics by their words; “{topic}” has none. "
            "Try a word or two, like kafka or ledger migration."
        )
    return (
        f"“{topic}” is too common a word for me to match questions on; "
        "try a more specific topic, like kafka or ledger migration."
    )


def _why_skipped(topics: Sequence[str]) -> str:
    wordless = [t for t in topics if not _has_words(t)]
    common = [t for t in topics if _has_words(t)]
    parts = [f"{_listing(common)}: too common to match questions on"] if common else []
    parts += [f"{_listing(wordless)}: no words to match questions on"] if wordless else []
    return f"Skipped {'; '.join(parts)}."


def _over_limit(topics: Sequence[str]) -> str | None:
    """The refusal for topics over the stored length: said whole, never cut to fit, so nothing
    is kept that the person didn't write."""
    long = too_long(topics)
    if not long:
        return None
    shown = long[0][:40] + "…"
    return (
        f"A topic can be up to {MAX_TOPIC_CHARS} characters; “{shown}” has {len(long[0]):,}. "
        "Use a shorter name, or separate several topics with commas. Nothing was changed."
    )


async def _topics(turn: Turn, session: Session, kind: str) -> list[str]:
    person = await turn.known_person(session)
    if person is None or person.id is None:
        return []
    return [
        p.topic for p in await prefs_repo.preferences_of(session, person_id=person.id, kind=kind)
    ]


async def ask_me_about(turn: Turn, arg: str) -> list[Reply]:
    arg = arg.strip()
    words = arg.split()
    if not arg or arg.lower() in _LIST_WORDS:
        return [await _show_declared(turn)]
    if words[0].lower() in _CLEAR_WORDS:
        return [await _clear_declared(turn, " ".join(words[1:]))]
    topics = split_topics(arg)
    if problem := _over_limit(topics):
        return [turn.reply(problem)]
    usable = [t for t in topics if topic_key(t)]
    rejected = [t for t in topics if not topic_key(t)]
    if not usable:
        return [turn.reply(_unmatchable(rejected[0] if rejected else arg))]
    async with turn.db.transaction() as session:
        tenant = await turn.tenant(session)
        person = await turn.author(session, tenant)
        assert tenant.id is not None and person.id is not None
        current = await prefs_repo.preferences_of(session, person_id=person.id, kind=ASK_ME)
        hidden = await prefs_repo.preferences_of(session, person_id=person.id, kind=HIDE_ME)
        known = {_key(p): p.topic for p in current}
        if len(current) + len({topic_key(t) for t in usable} - known.keys()) > MAX_DECLARED:
            return [
                turn.reply(
                    f"You can declare up to {MAX_DECLARED} topics; you have {len(current)}. "
                    "Remove some with /narrate ask-me-about clear <topic>. Nothing was changed."
                )
            ]
        added, already = await _add_all(
            session,
            turn,
            tenant_id=tenant.id,
            person_id=person.id,
            kind=ASK_ME,
            topics=usable,
            known=known,
        )
        enrolled = person.consent == JOINED
        also_hidden = [p.topic for p in hidden if _key(p) in {topic_key(t) for t in usable}]
    lines = []
    if added:
        lines.append(
            f"Got it: when someone asks about {_listing(added)}, I'll lift you in the answer "
            "and say you're happy to be asked."
        )
    if already:
        lines.append(f"You had already declared {_listing(already)}.")
    if rejected:
        lines.append(_why_skipped(rejected))
    if also_hidden:
        lines.append(
            f"You're also hidden from {_listing(also_hidden)}, and hiding wins: "
            "/narrate unhide-me <topic> to be found."
        )
    if not enrolled:
        lines.append("You aren't enrolled yet, so I won't suggest you: /narrate join.")
    lines.append("I suggest you only where you've narrated about it somewhere the asker can read.")
    return [turn.reply("\n".join(lines))]


async def _show_declared(turn: Turn) -> Reply:
    async with turn.db.transaction() as session:
        topics = await _topics(turn, session, ASK_ME)
    if not topics:
        return turn.reply(
            "You haven't declared any topics. Say what you're happy to be asked about: "
            "/narrate ask-me-about kafka, ledger migration"
        )
    return turn.reply(
        f"You're happy to be asked about: {_listing(topics)}.\n"
        "Add more with /narrate ask-me-about <topics>; remove with "
        "/narrate ask-me-about clear <topic> (or clear alone for all)."
    )


async def _clear_declared(turn: Turn, which: str) -> Reply:
    async with turn.db.transaction() as session:
        person = await turn.known_person(session)
        if person is None or person.id is None:
            return turn.reply("You haven't declared any topics, so there's nothing to clear.")
        if not which.strip():
            removed = await prefs_repo.remove_preferences(session, person_id=person.id, kind=ASK_ME)
            if not removed:
                return turn.reply("You haven't declared any topics, so there's nothing to clear.")
            return turn.reply(
                f"Cleared your {removed} declared topic{'s' if removed != 1 else ''}."
            )
        wanted = split_topics(which)
        if problem := _over_limit(wanted):
            return turn.reply(problem)
        current = await prefs_repo.preferences_of(session, person_id=person.id, kind=ASK_ME)
        keys = {_key(p): p.topic for p in current}
        gone = [keys[topic_key(t)] for t in wanted if topic_key(t) in keys]
        missing = [t for t in wanted if topic_key(t) not in keys]
        await prefs_repo.remove_preferences(
            session, person_id=person.id, kind=ASK_ME, keys=_stored_keys(current, wanted)
        )
        left = [p.topic for p in current if p.topic not in gone]
    lines = [f"Removed {_listing(gone)}."] if gone else []
    if missing:
        lines.append(f"You hadn't declared {_listing(missing)}.")
    lines.append(
        f"You're happy to be asked about: {_listing(left)}." if left else "No declared topics left."
    )
    return turn.reply(" ".join(lines))


def _hide_topics(arg: str) -> list[str]:
    """``hide-me kafka streams`` is one topic; commas separate several."""
    if "," in arg or ";" in arg:
        return split_topics(arg)
    topic = clean_topic(arg)
    return [topic] if topic else []


async def hide_me(turn: Turn, arg: str) -> list[Reply]:
    topics = _hide_topics(arg)
    if not topics or arg.strip().lower() in _LIST_WORDS:
        return [await _show_hidden(turn, "Which topic? /narrate hide-me <topic>")]
    if problem := _over_limit(topics):
        return [turn.reply(problem)]
    if bad := [t for t in topics if not topic_key(t)]:
        return [turn.reply(_unmatchable(bad[0]) + " Nothing was changed.")]
    async with turn.db.transaction() as session:
        tenant = await turn.tenant(session)
        person = await turn.author(session, tenant)
        assert tenant.id is not None and person.id is not None
        current = await prefs_repo.preferences_of(session, person_id=person.id, kind=HIDE_ME)
        known = {_key(p): p.topic for p in current}
        if len(current) + len({topic_key(t) for t in topics} - known.keys()) > MAX_HIDDEN:
            return [
                turn.reply(
                    f"You can hide up to {MAX_HIDDEN} topics; /narrate unhide-me <topic> "
                    "frees one. Nothing was changed."
                )
            ]
        added, already = await _add_all(
            session,
            turn,
            tenant_id=tenant.id,
            person_id=person.id,
            kind=HIDE_ME,
            topics=topics,
            known=known,
        )
    lines = []
    if added:
        lines.append(
            f"Done: I won't name you when someone asks about {_listing(added)}, show you "
            "for it on the topic map, or introduce you because of it. "
            "Your narrations stay yours and unchanged. "
            f"Undo with /narrate unhide-me {added[0]}."
        )
    if already:
        lines.append(f"You were already hidden from {_listing(already)}.")
    return [turn.reply("\n".join(lines))]


async def unhide_me(turn: Turn, arg: str) -> list[Reply]:
    topics = _hide_topics(arg)
    if not topics or arg.strip().lower() in _LIST_WORDS:
        return [await _show_hidden(turn, "Which topic? /narrate unhide-me <topic>")]
    if problem := _over_limit(topics):
        return [turn.reply(problem)]
    async with turn.db.transaction() as session:
        person = await turn.known_person(session)
        current = (
            await prefs_repo.preferences_of(session, person_id=person.id, kind=HIDE_ME)
            if person is not None and person.id is not None
            else []
        )
        keys = {_key(p): p.topic for p in current}
        gone = [keys[topic_key(t)] for t in topics if topic_key(t) in keys]
        missing = [t for t in topics if topic_key(t) not in keys]
        if gone and person is not None and person.id is not None:
            await prefs_repo.remove_preferences(
                session, person_id=person.id, kind=HIDE_ME, keys=_stored_keys(current, topics)
            )
    lines = []
    if gone:
        lines.append(f"You can be named again in answers about {_listing(gone)}.")
    if missing:
        still = [p.topic for p in current if p.topic not in gone]
        lines.append(
            f"You weren't hidden from {_listing(missing)}."
            + (f" Hidden topics: {_listing(still)}." if still else " You hide no topics.")
        )
    return [turn.reply(" ".join(lines))]


async def _show_hidden(turn: Turn, usage: str) -> Reply:
    async with turn.db.transaction() as session:
        topics = await _topics(turn, session, HIDE_ME)
    hidden = f"You're hidden from: {_listing(topics)}." if topics else "You hide no topics."
    return turn.reply(f"{usage}\n{hidden}")


def _key(preference: TopicPreference) -> str:
    """The topic's key as it is computed now, whatever key it was stored under."""
    return topic_key(preference.topic)


def _stored_keys(current: Sequence[TopicPreference], topics: Sequence[str]) -> list[str]:
    """The keys ``current`` holds these topics under, to remove them by."""
    wanted = {topic_key(t) for t in topics}
    return [p.topic_key for p in current if _key(p) in wanted]


async def _add_all(
    session: Session,
    turn: Turn,
    *,
    tenant_id: int,
    person_id: int,
    kind: str,
    topics: list[str],
    known: dict[str, str],
) -> tuple[list[str], list[str]]:
    """Store each topic of one kind; returns (newly added, already there under its stored name)."""
    added: list[str] = []
    already: list[str] = []
    for topic in topics:
        key = topic_key(topic)
        if key in known:  # perhaps stored under a key from before accents were folded
            already.append(known[key])
            continue
        stored = await prefs_repo.add_preference(
            session,
            tenant_id=tenant_id,
            person_id=person_id,
            kind=kind,
            topic=topic,
            key=key,
            now=turn.now,
        )
        if stored:
            added.append(topic)
        else:
            already.append(known.get(key, topic))
    return added, already
