"""The topic map and a profile's topics, with the read filter of talk words, against no filter.

    .venv/bin/python -m benchmarks.topic_map --narrations 100000 [--engine postgres]

A stored "caveat", "thinking" or "warm" is read only where its narration writes it as a hashtag
(``storage.topic_filter``). The organisation: ``--people`` people, each narration storing five
of its writer's topics, and one in ten one of the talk words too, written as a hashtag in half
of those ("#caveats"), as free text in the rest (stored so by older versions). Each read runs
three ways in the same run, interleaved: with no filter (the baseline), with the filter before
5a49660 (a LIKE of "#word" anywhere in the text), and with the current one; what is reported is
each filter's median over the baseline's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, func, insert, literal, or_, text, true
from sqlmodel import col

from benchmarks.engines import database_url, fresh_database
from narrate_bot.storage import expertise_repo, topic_filter
from narrate_bot.storage.database import Database
from narrate_bot.storage.tables import Channel, Narration, NarrationTopic, Person, Tenant

NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)
SPAN = timedelta(days=365)
MAP_SINCE = timedelta(days=90)
VOCABULARY = 3000
TALK = ("caveat", "thinking", "warm", "detail", "tweak", "drawback")
BATCH = 5000


def _before_5a49660() -> ColumnElement[bool]:
    """The filter as it was: "#word" anywhere in the text ("#warmup" kept "warm")."""
    topic = col(NarrationTopic.topic)
    tagged = func.lower(col(Narration.text)).like(literal("%#") + topic + literal("%"))
    return or_(topic.not_in(topic_filter._GUESSED_ONLY), tagged)


FILTERS: dict[str, Callable[[], ColumnElement[bool]]] = {
    "none": true,
    "before": _before_5a49660,
    "now": topic_filter.taken_as_written,
}


async def seed(db: Database, *, people: int, narrations: int) -> tuple[int, list[int]]:
    rng = random.Random(7)
    words = [f"topic{i}" for i in range(VOCABULARY)]
    async with db.engine.begin() as conn:
        tenant = (
            await conn.execute(
                insert(Tenant).returning(col(Tenant.id)),
                [
                    {
                        "platform": "console",
                        "external_id": "bench-map",
                        "name": "bench",
                        "created_at": NOW - SPAN,
                    }
                ],
            )
        ).scalar_one()
        channel = (
            await conn.execute(
                insert(Channel).returning(col(Channel.id)),
                [{"tenant_id": tenant, "channel_id": "C0", "name": "c0", "kind": "public"}],
            )
        ).scalar_one()
        joined = NOW - SPAN - timedelta(days=1)
        made = await conn.execute(
            insert(Person).returning(col(Person.id)),
            [
                {
                    "tenant_id": tenant,
                    "user_id": f"U{i}",
                    "display_name": f"person{i}",
                    "consent": "joined",
                    "joined_at": joined,
                    "created_at": joined,
                }
                for i in range(people)
            ],
        )
        person_pks = [int(pk) for pk in made.scalars() if pk is not None]
    own = {pk: rng.sample(words, 12) for pk in person_pks}
    ordinals = dict.fromkeys(person_pks, 0)
    step = SPAN / narrations
    for start in range(0, narrations, BATCH):
        rows, topics_of = [], []
        for k in range(start, min(start + BATCH, narrations)):
            pk = rng.choice(person_pks)
            ordinals[pk] += 1
            topics = rng.sample(own[pk], 5)
            body = "worked on " + ", ".join(topics) + " and the usual follow-ups " * 3
            if rng.random() < 0.1:
                talk = rng.choice(TALK)
                topics.append(talk)
                body += f" #{talk}s" if rng.random() < 0.5 else f" one {talk} here"
            rows.append(
                {
                    "tenant_id": tenant,
                    "person_id": pk,
                    "channel_pk": channel,
                    "ordinal": ordinals[pk],
                    "source": "command",
                    "audience": "channel",
                    "text": body,
                    "created_at": NOW - SPAN + step * k,
                }
            )
            topics_of.append(topics)
        async with db.engine.begin() as conn:
            ids = (
                await conn.execute(
                    insert(Narration).returning(col(Narration.id), sort_by_parameter_order=True),
                    rows,
                )
            ).scalars()
            await conn.execute(
                insert(NarrationTopic),
                [
                    {"narration_id": nid, "topic": t}
                    for nid, topics in zip(ids, topics_of, strict=True)
                    for t in topics
                ],
            )
    if db.dialect == "postgresql":
        async with db.engine.connect() as conn:
            autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text("VACUUM ANALYZE"))
    assert tenant is not None
    return tenant, person_pks


async def _timed(work: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    await work()
    return (time.perf_counter() - started) * 1000


async def run(args: argparse.Namespace) -> dict[str, Any]:
    url = database_url(
        args.engine,
        path=Path(args.db or "/tmp/narrate-topic-map.db"),
        postgres_url=args.postgres_url,
    )
    db = await fresh_database(url)
    people = args.people or max(10, args.narrations // 100)
    tenant, person_pks = await seed(db, people=people, narrations=args.narrations)
    rng = random.Random(11)

    async def the_map() -> None:
        async with db.transaction() as session:
            await expertise_repo.topic_people_counts(
                session, tenant_id=tenant, viewer_user_id="U0", since=NOW - MAP_SINCE, now=NOW
            )

    async def a_profile() -> None:
        async with db.transaction() as session:
            shown = await expertise_repo.visible_narrations_of(
                session,
                tenant_id=tenant,
                person_id=rng.choice(person_pks),
                viewer_user_id="U0",
                limit=None,
            )
            ids = [n.id for n, _ in shown if n.id is not None]
            await expertise_repo.narration_topics_of_person(session, narration_ids=ids)

    reads = {"map": the_map, "profile": a_profile}
    times: dict[str, dict[str, list[float]]] = {r: {f: [] for f in FILTERS} for r in reads}
    for _ in range(args.repeat):
        for read, work in reads.items():
            for name, made in FILTERS.items():
                expertise_repo.taken_as_written = made  # type: ignore[attr-defined]
                times[read][name].append(await _timed(work))
    expertise_repo.taken_as_written = topic_filter.taken_as_written  # type: ignore[attr-defined]
    await db.dispose()
    result: dict[str, Any] = {"engine": args.engine, "narrations": args.narrations}
    for read, by_filter in times.items():
        medians = {name: statistics.median(t) for name, t in by_filter.items()}
        result[read] = {
            "median_ms": {name: round(m, 1) for name, m in medians.items()},
            "over_no_filter": {
                name: round(medians[name] / medians["none"], 2) for name in ("before", "now")
            },
        }
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--narrations", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=0, help="default: narrations / 100")
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--db", help="SQLite file to (re)create; default under /tmp")
    parser.add_argument("--postgres-url", help="a database this benchmark may wipe")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(run(args)), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
