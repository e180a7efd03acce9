"""Random two-workspace worlds for the visibility property test, and an independent oracle.

A world is a few byte strings, each byte one choice, so Hypothesis draws a handful of values per
example (ten thousand worlds a minute) and shrinks failures toward small, all-zero worlds. The
oracle restates ADR 0004 in plain Python; the builder inserts a world in a few bulk statements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from hypothesis import strategies as st
from sqlalchemy import insert, text

from narrate_bot.knowledge.topic_match import topic_key
from narrate_bot.knowledge.topics import extract_topics
from narrate_bot.storage.preference_tables import HIDE_ME, TopicPreference
from narrate_bot.storage.tables import (
    Channel,
    ChannelMember,
    Narration,
    NarrationTopic,
    Person,
    Tenant,
)

TENANTS = ("TA", "TB")
USERS = ("u0", "u1", "u2", "u3")
CHANNELS = ("c0", "c1", "c2")
VOCAB = ("kafka", "ledger", "terraform", "postgres")
KINDS = ("public", "private", "public", "private", "direct")
STATES = ("joined", "joined", "joined", "paused", "left")
AUDIENCES = ("channel", "channel", "tenant", "only_me")


@dataclass
class Narr:
    marker: str
    tenant: int
    author: str
    channel: str
    audience: str
    words: tuple[str, ...]


@dataclass
class World:
    kinds: dict[tuple[int, str], str]
    members: dict[tuple[int, str], set[str]]
    states: dict[tuple[int, str], str]
    hidden: dict[tuple[int, str], str]
    narrations: list[Narr]
    events: list[tuple[str, int, str, str, bool]] = field(default_factory=list)
    questions: list[tuple[int, str, str, str, tuple[str, ...]]] = field(default_factory=list)


def _pick(items: tuple[str, ...], mask: int) -> tuple[str, ...]:
    """The items whose bit is set: one cheap integer draw stands for a subset."""
    return tuple(item for i, item in enumerate(items) if mask >> i & 1)


_SLOTS = len(TENANTS) * len(CHANNELS)
_PEOPLE = len(TENANTS) * len(USERS)
_EVENTS = ("join", "leave", "private", "public")
_ASKS = ("command", "mention", "dm", "topics", "profile")


def _groups(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data) - size + 1, size)]


_WORLD = st.tuples(
    st.binary(min_size=_SLOTS, max_size=_SLOTS),  # channel kinds
    st.binary(min_size=_SLOTS, max_size=_SLOTS),  # channel members, a bit per user
    st.binary(min_size=_PEOPLE, max_size=_PEOPLE),  # enrolled, paused or departed
    st.binary(max_size=2 * 2),  # (person, word) hidden
    st.binary(min_size=3 * 4, max_size=8 * 4),  # narrations: (person, channel, audience, words)
    st.binary(max_size=2 * 4),  # events: (what, channel, user, flag)
    st.binary(min_size=4, max_size=3 * 4),  # questions: (asker, how, channel, words)
)


def _world(drawn) -> World:
    kinds, masks, states, hidden, narrations, events, questions = drawn
    slots = [(t, c) for t in range(len(TENANTS)) for c in CHANNELS]
    people = [(t, u) for t in range(len(TENANTS)) for u in USERS]
    words_mask = 2 ** len(VOCAB) - 1
    return World(
        kinds={slot: KINDS[b % len(KINDS)] for slot, b in zip(slots, kinds, strict=True)},
        members={
            slot: set(_pick(USERS, b % 2 ** len(USERS)))
            for slot, b in zip(slots, masks, strict=True)
        },
        states={who: STATES[b % len(STATES)] for who, b in zip(people, states, strict=True)},
        hidden={people[p % _PEOPLE]: VOCAB[w % len(VOCAB)] for p, w in _groups(hidden, 2)},
        narrations=[
            Narr(
                marker=f"mk{i}",
                tenant=people[p % _PEOPLE][0],
                author=people[p % _PEOPLE][1],
                channel=CHANNELS[c % len(CHANNELS)],
                audience=AUDIENCES[a % len(AUDIENCES)],
                words=_pick(VOCAB, w % words_mask + 1),
            )
            for i, (p, c, a, w) in enumerate(_groups(narrations, 4))
        ],
        events=[
            (_EVENTS[e % len(_EVENTS)], *slots[c % _SLOTS], USERS[u % len(USERS)], bool(f % 2))
            for e, c, u, f in _groups(events, 4)
        ],
        questions=[
            (
                *people[p % _PEOPLE],
                _ASKS[h % len(_ASKS)],
                CHANNELS[c % len(CHANNELS)],
                _pick(VOCAB, w % words_mask + 1),
            )
            for p, h, c, w in _groups(questions, 4)
        ],
    )


def worlds() -> st.SearchStrategy[World]:
    return _WORLD.map(_world)


# ------------------------------------------------------------------------------------ the oracle


def readable(world: World, n: Narr, *, tenant: int, viewer: str, answer_in: str | None) -> bool:
    """ADR 0004, restated independently of the SQL."""
    if n.tenant != tenant:
        return False
    kind = world.kinds[n.tenant, n.channel]
    if n.audience == "tenant":
        ok = True
    elif n.audience == "channel":
        ok = kind == "public" or (kind == "private" and viewer in world.members[tenant, n.channel])
    else:
        ok = False
    if ok and answer_in is not None:
        ok = n.audience == "tenant" or kind == "public" or n.channel == answer_in
    return ok


# ------------------------------------------------------------------------- building the world


async def wipe(db) -> None:
    async with db.transaction() as session:
        connection = await session.connection()
        await connection.execute(text("DELETE FROM narration"))
        await connection.execute(text("DELETE FROM tenant"))


async def build(db, world: World, now) -> None:
    async with db.transaction() as session:
        await insert_world(session, world, now, dialect=db.dialect)


async def insert_world(session, world: World, now, *, dialect: str):
    """Insert the world in a few bulk statements (ids chosen here): thousands of worlds a minute.

    Returns the primary keys given to each (tenant, channel) and (tenant, user).
    """
    tenants, channels, members, people, prefs, narrations, topics = [], [], [], [], [], [], []
    channel_pk: dict[tuple[int, str], int] = {}
    person_pk: dict[tuple[int, str], int] = {}
    for t, external in enumerate(TENANTS):
        tenants.append(
            {
                "id": t + 1,
                "platform": "slack",
                "external_id": external,
                "name": external,
                "created_at": now,
            }
        )
        for c in CHANNELS:
            pk = channel_pk[t, c] = len(channel_pk) + 1
            channels.append(
                {
                    "id": pk,
                    "tenant_id": t + 1,
                    "channel_id": c,
                    "name": c,
                    "kind": world.kinds[t, c],
                }
            )
            members.extend({"channel_pk": pk, "user_id": u} for u in sorted(world.members[t, c]))
        for u in USERS:
            pk = person_pk[t, u] = len(person_pk) + 1
            state = world.states[t, u]
            people.append(
                {
                    "id": pk,
                    "tenant_id": t + 1,
                    "user_id": u,
                    "display_name": f"{u}@{external}",
                    "consent": "left" if state == "left" else "joined",
                    "joined_at": now,
                    "paused_until": now + timedelta(days=1) if state == "paused" else None,
                    "created_at": now,
                }
            )
            if (t, u) in world.hidden:
                word = world.hidden[t, u]
                prefs.append(
                    {
                        "person_id": pk,
                        "kind": HIDE_ME,
                        "topic_key": topic_key(word),
                        "tenant_id": t + 1,
                        "topic": word,
                        "created_at": now,
                    }
                )
    for i, n in enumerate(world.narrations):
        body = f"{n.marker} " + " ".join(n.words)
        narrations.append(
            {
                "id": i + 1,
                "tenant_id": n.tenant + 1,
                "person_id": person_pk[n.tenant, n.author],
                "channel_pk": channel_pk[n.tenant, n.channel],
                "ordinal": i + 1,
                "source": "command",
                "audience": n.audience,
                "text": body,
                "created_at": now - timedelta(hours=i + 1),
            }
        )
        topics.extend({"narration_id": i + 1, "topic": w} for w in extract_topics(body))
    connection = await session.connection()
    for table, rows in (
        (Tenant, tenants),
        (Channel, channels),
        (ChannelMember, members),
        (Person, people),
        (TopicPreference, prefs),
        (Narration, narrations),
        (NarrationTopic, topics),
    ):
        if rows:
            await connection.execute(insert(table), rows)
    if dialect == "postgresql":  # rows the bot creates later must not reuse the ids above
        await connection.execute(
            text(
                "SELECT "
                + ", ".join(
                    f"setval(pg_get_serial_sequence('{t}', 'id'), 10000)"
                    for t in ("tenant", "channel", "person", "narration")
                )
            )
        )
    return channel_pk, person_pk
