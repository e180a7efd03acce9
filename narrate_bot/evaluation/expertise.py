"""``narrate-bot eval expertise``: replay a dev set through the bot and score its who-knows answers.

Narrations go in through ``Bot.handle`` (the same intake chat uses) and questions are ranked by
``find_experts`` (the same ranking chat uses), in time order, so each question only sees what was
narrated before it. The metrics reproduce ``shared/bench/expertise/evaluate.py`` exactly.
"""

from __future__ import annotations

import json
import math
import secrets
import sys
import tempfile
import time
from collections import Counter, defaultdict, deque
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ..app import Bot
from ..clock import ManualClock
from ..config import Settings
from ..events import (
    ChannelKind,
    ChannelRef,
    CommandInvoked,
    Platform,
    ProfileChanged,
    TenantRef,
    UserRef,
)
from ..features.who_knows import find_experts
from ..storage import repositories as repo
from ..storage.database import Database
from ..storage.migrate import upgrade

TENANT = TenantRef(platform=Platform.CONSOLE, tenant_id="eval", name="eval")
CHANNEL = ChannelRef(channel_id="general", name="general", kind=ChannelKind.PUBLIC)
METRICS = ("P@1", "MRR", "MAP@10", "nDCG@10", "R@10")
RANKING_DEPTH = 100
TAIL_WINDOW_DAYS = 90
TAIL_TOP = 5

Record = dict[str, Any]


class DataError(ValueError):
    """The folder isn't a bench folder; the message says what's missing."""


def _parse_ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def load_jsonl(path: Path) -> list[Record]:
    if not path.is_file():
        raise DataError(f"no {path.name} in {path.parent}")
    records: list[Record] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as problem:
                raise DataError(f"{path.name} line {number} isn't JSON: {problem.msg}") from None
    return records


def load_dataset(folder: Path) -> tuple[list[Record], list[Record]]:
    if not folder.is_dir():
        raise DataError(f"{folder} is not a folder")
    narrations = load_jsonl(folder / "narrations.jsonl")
    queries = load_jsonl(folder / "queries.jsonl")
    for name, rows, keys in (
        ("narrations.jsonl", narrations, ("person", "ts", "text")),
        ("queries.jsonl", queries, ("id", "query", "ts", "asker", "relevant")),
    ):
        for row in rows:
            missing = [k for k in keys if k not in row]
            if missing:
                raise DataError(f"{name}: a record lacks {', '.join(missing)}")
    return sorted(narrations, key=lambda n: n["ts"]), sorted(queries, key=lambda q: q["ts"])


# ----------------------------------------------------------------------------------- metrics


def metrics_for(ranking: Sequence[str], query: Mapping[str, Any]) -> dict[str, float]:
    """One query's scores, defined exactly as evaluate.py defines them."""
    relevant = set(query["relevant"])
    grade: Mapping[str, int] = query.get("grade") or dict.fromkeys(relevant, 1)
    ranked: list[str] = []
    for person in ranking:
        if person != query.get("asker") and person not in ranked:
            ranked.append(person)
    p1 = 1.0 if ranked and ranked[0] in relevant else 0.0
    mrr = next((1.0 / i for i, p in enumerate(ranked[:100], 1) if p in relevant), 0.0)
    hits, ap = 0, 0.0
    for i, person in enumerate(ranked[:10], 1):
        if person in relevant:
            hits += 1
            ap += hits / i
    ap /= min(len(relevant), 10) if relevant else 1
    dcg = sum((2 ** grade.get(p, 0) - 1) / math.log2(i + 1) for i, p in enumerate(ranked[:10], 1))
    ideal = sorted(grade.values(), reverse=True)[:10]
    idcg = sum((2**g - 1) / math.log2(i + 1) for i, g in enumerate(ideal, 1))
    ndcg = dcg / idcg if idcg > 0 else 0.0
    r10 = len(relevant & set(ranked[:10])) / len(relevant) if relevant else 0.0
    return {"P@1": p1, "MRR": mrr, "MAP@10": ap, "nDCG@10": ndcg, "R@10": r10}


def mean_metrics(
    queries: Sequence[Mapping[str, Any]], rankings: Mapping[str, Sequence[str]]
) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for query in queries:
        for name, value in metrics_for(rankings.get(query["id"], []), query).items():
            totals[name] += value
    count = len(queries) or 1
    result = {name: round(totals[name] / count, 4) for name in METRICS}
    result["queries"] = len(queries)
    return result


def tail_query_ids(narrations: Sequence[Record], queries: Sequence[Record]) -> set[str]:
    """Queries none of whose relevant people is among the 5 "usual suspects": evaluate.py's
    recent_active ranking (most narrations in the previous 90 days, ties to the most recently
    active, back-filled by all-time activity), asker removed."""
    ordered = sorted(narrations, key=lambda n: n["ts"])
    window: deque[tuple[str, str]] = deque()
    recent: Counter[str] = Counter()
    total: Counter[str] = Counter()
    last: dict[str, str] = {}
    tail: set[str] = set()
    i = 0
    for query in sorted(queries, key=lambda q: q["ts"]):
        while i < len(ordered) and ordered[i]["ts"] < query["ts"]:
            person = ordered[i]["person"]
            window.append((ordered[i]["ts"], person))
            recent[person] += 1
            total[person] += 1
            last[person] = ordered[i]["ts"]
            i += 1
        cutoff = _shift(query["ts"], -TAIL_WINDOW_DAYS)
        while window and window[0][0] < cutoff:
            recent[window.popleft()[1]] -= 1
        ranked = sorted(
            (p for p, c in recent.items() if c > 0), key=lambda p: last[p], reverse=True
        )
        ranked.sort(key=lambda p: -recent[p])
        if len(ranked) < TAIL_TOP + 1:
            everyone = sorted(total, key=lambda p: last[p], reverse=True)
            everyone.sort(key=lambda p: -total[p])
            have = set(ranked)
            ranked += [p for p in everyone if p not in have]
        top = [p for p in ranked[: RANKING_DEPTH + 1] if p != query.get("asker")][:TAIL_TOP]
        if not set(query["relevant"]) & set(top):
            tail.add(query["id"])
    return tail


def _shift(ts: str, days: int) -> str:
    shifted = datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ") + timedelta(days=days)
    return shifted.strftime("%Y-%m-%dT%H:%M:%SZ")


# ------------------------------------------------------------------------------------ replay


async def replay(
    narrations: Sequence[Record], queries: Sequence[Record], *, database_url: str
) -> dict[str, list[str]]:
    """Each query's ranking (person ids, best first), answered from earlier narrations only."""
    # A scratch database nobody is forgotten in: a key of its own, not the server's (whose
    # setting, wrong or missing, is no reason to refuse a replay).
    db = Database(database_url, erasure_key=secrets.token_hex(32))
    try:
        await upgrade(db)
        clock = ManualClock(
            _parse_ts(narrations[0]["ts"]) if narrations else datetime.now().astimezone()
        )
        # The dataset caps narrations at 2,500 characters; lift the chat limit so none is refused.
        bot = Bot(db=db, clock=clock, settings=Settings(max_narration_chars=100_000))
        teams: dict[str, str | None] = {}
        rankings: dict[str, list[str]] = {}
        tenant_pk: int | None = None
        i = 0
        for query in queries:
            asked_at = _parse_ts(query["ts"])
            while i < len(narrations) and narrations[i]["ts"] < query["ts"]:
                await _narrate(bot, clock, narrations[i], teams, number=i)
                i += 1
            if tenant_pk is None:
                tenant_pk = await _tenant_pk(db, clock)
            clock.set(asked_at)
            async with db.transaction() as session:
                ranked = await find_experts(
                    session,
                    dialect=db.dialect,
                    tenant_id=tenant_pk,
                    viewer_user_id=query["asker"],
                    answer_channel_pk=None,
                    question=query["query"],
                    now=asked_at,
                    before=asked_at,
                    limit=RANKING_DEPTH,
                )
                people = await repo.people_by_id(session, ids=[r.person_id for r in ranked])
            rankings[query["id"]] = [
                people[r.person_id].user_id
                for r in ranked
                if r.person_id in people and people[r.person_id].user_id != query["asker"]
            ]
        return rankings
    finally:
        await db.dispose()


async def _narrate(
    bot: Bot, clock: ManualClock, record: Record, teams: dict[str, str | None], *, number: int
) -> None:
    clock.set(_parse_ts(record["ts"]))
    person = record["person"]
    user = UserRef(user_id=person, display_name=person)
    team = record.get("team")
    if teams.get(person, "") != team:
        await bot.handle(
            ProfileChanged(tenant=TENANT, user=user, team=team or "", occurred_at=clock.now())
        )
        teams[person] = team
    await bot.handle(
        CommandInvoked(
            event_id=f"eval-{number}",
            tenant=TENANT,
            user=user,
            channel=CHANNEL,
            occurred_at=clock.now(),
            command="narrate",
            text=record["text"],
        )
    )


async def _tenant_pk(db: Database, clock: ManualClock) -> int:
    async with db.transaction() as session:
        tenant = await repo.ensure_tenant(
            session,
            platform=TENANT.platform.value,
            external_id=TENANT.tenant_id,
            name=TENANT.name,
            now=clock.now(),
        )
    assert tenant.id is not None
    return tenant.id


# --------------------------------------------------------------------------------------- CLI


def format_table(name: str, results: Mapping[str, Mapping[str, float]]) -> str:
    lines = [f"{'system':<30} " + " ".join(f"{c:>8}" for c in METRICS) + f" {'queries':>8}"]
    for row, values in results.items():
        label = f"{name} [{row}]" if row != "overall" else name
        lines.append(
            f"{label:<30} "
            + " ".join(f"{values[c]:8.4f}" for c in METRICS)
            + f" {int(values['queries']):8d}"
        )
    return "\n".join(lines)


async def run_cli(
    data_dir: Path, *, run_out: Path | None, as_json: bool, database_url: str | None = None
) -> int:
    try:
        narrations, queries = load_dataset(data_dir)
    except DataError as problem:
        sys.stderr.write(f"narrate-bot eval expertise: {problem}\n")
        return 2
    # The replay takes minutes on a real set: a run file we can't write is said before it.
    cannot_write = unwritable(run_out) if run_out is not None else None
    if cannot_write:
        sys.stderr.write(f"narrate-bot eval expertise: {cannot_write}\n")
        return 2
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="narrate-eval-") as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'eval.db'}"
        rankings = await replay(narrations, queries, database_url=url)
    seconds = round(time.perf_counter() - started, 1)
    tail = tail_query_ids(narrations, queries)
    results = {
        "overall": mean_metrics(queries, rankings),
        "tail": mean_metrics([q for q in queries if q["id"] in tail], rankings),
    }
    name = data_dir.resolve().name
    out = sys.stdout
    out.write(format_table(name, results) + "\n")
    out.write(
        f"{len(narrations)} narrations, {len(queries)} queries ({len(tail)} tail) "
        f"replayed in {seconds} s\n"
    )
    if as_json:
        out.write(json.dumps({"dataset": name, **results, "seconds": seconds}) + "\n")
    out.flush()
    if run_out is not None:
        # After the metrics are out: a folder removed or a disk filled during the replay costs
        # the run file only, never the scores the replay took minutes to compute.
        try:
            write_run_file(run_out, queries, rankings)
        except OSError as failure:
            sys.stderr.write(
                f"narrate-bot eval expertise: the metrics are above, but the run file "
                f"{run_out} couldn't be written: {failure.strerror or failure}.\n"
            )
            return 2
    return 0


def write_run_file(
    path: Path, queries: Sequence[Record], rankings: Mapping[str, list[str]]
) -> None:
    """One JSON line per query, ``{"id": ..., "ranking": [...]}``, as evaluate.py reads them."""
    with path.open("w", encoding="utf-8") as handle:
        for query in queries:
            handle.write(json.dumps({"id": query["id"], "ranking": rankings[query["id"]]}))
            handle.write("\n")


def unwritable(path: Path) -> str | None:
    """Why the run file can't be written at ``path`` (one sentence), or None when it can.

    Asked by opening it for appending, as the real write will (permissions, a read-only disk);
    a file this creates is removed again, and an existing one is left as it was."""
    if path.is_dir():
        return f"the run file {path} is a folder: give a file name, such as {path / 'run.txt'}."
    if not path.parent.is_dir():
        return f"the run file {path} can't be written: the folder {path.parent} doesn't exist."
    existed = path.exists()
    try:
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as problem:
        return f"the run file {path} can't be written: {problem.strerror or problem}."
    if not existed:
        path.unlink(missing_ok=True)
    return None
