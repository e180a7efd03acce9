"""``narrate-bot eval connections``: would this week's introductions have been people who went
on to work together?

A bench set is replayed week by week. Each week, everyone who narrated in the lookback window is
paired by the same logic the bot uses (``knowledge.pairing``: topics from the same extractor,
earlier who-knows questions, team ties from earlier suggestions, no repeats inside 12 weeks),
seeing only narrations and questions from before that week. A suggested cross-team pair is a
hit when the two interact in the next 12 weeks: one asked a question the other is ``relevant``
for (in golang-tools, reviewed the change). The baseline pairs the same people at random across
teams, seeded, in the same run; lift is the ratio of hit rates. Each introduction's reason is
counted by what it rests on: work in common (a topic both narrate, a question answered), only
what each narrates (a conversation starter), or nothing to cite (a chance to meet).
"""

from __future__ import annotations

import json
import math
import random
import sys
import time
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import combinations
from pathlib import Path

from ..knowledge.intro_reasons import Grounds, reason
from ..knowledge.pairing import Pairing, Participant, Rules
from ..knowledge.topics import extract_topics, is_topic_in_text, normalize_topic
from ..knowledge.words import query_terms
from .expertise import DataError, Record, _parse_ts, load_dataset

WEEK = timedelta(weeks=1)
HORIZON = timedelta(weeks=12)
REPEAT_WEEKS = 12
ACTIVE_DAYS = 180  # who takes part: narrated in the last six months
LOOKBACK = timedelta(days=90)  # what their topics and questions come from (as in the bot)
PERIOD = "in the last three months"
RANDOM_DRAWS = 5


@dataclass
class Tally:
    pairs: int = 0
    hits: int = 0

    @property
    def rate(self) -> float:
        return self.hits / self.pairs if self.pairs else 0.0


@dataclass
class Result:
    dataset: str
    cross_team: bool = True
    weeks: int = 0
    suggested: Tally = field(default_factory=Tally)
    random: Tally = field(default_factory=Tally)
    with_reason: int = 0
    grounds: dict[str, int] = field(default_factory=lambda: {g.value: 0 for g in Grounds})
    introductions: int = 0
    active_days: int = ACTIVE_DAYS
    scorable_weeks: int = 0  # weeks followed by 12 weeks of questions, whoever took part

    @property
    def lift(self) -> float | None:
        """How many times the random pairs' hit rate the suggestions' is; None when there is
        nothing to divide by (``why_no_lift`` says why)."""
        return self.suggested.rate / self.random.rate if self.random.rate else None

    @property
    def why_no_lift(self) -> str | None:
        if self.random.rate:
            return None
        if self.random.pairs:
            return "no random pair interacted within 12 weeks, so there is nothing to compare with"
        if not self.scorable_weeks:
            return (
                "no pairs: a week is scored only when 12 weeks of questions follow it, "
                "and this set's questions span less than 12 weeks"
            )
        who = "people in different teams" if self.cross_team else "people"
        return (
            f"no pairs: no week had two {who} who narrated in the {self.active_days} days before it"
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "dataset": self.dataset,
            "cross_team": self.cross_team,
            "weeks": self.weeks,
            "pairs": self.suggested.pairs,
            "hits": self.suggested.hits,
            "hit_rate": round(self.suggested.rate, 4),
            "random_pairs": self.random.pairs,
            "random_hits": self.random.hits,
            "random_hit_rate": round(self.random.rate, 4),
            "lift": None if self.lift is None else round(self.lift, 2),
            "lift_note": self.why_no_lift,
            "introductions": self.introductions,
            "with_reason": self.with_reason,
            "with_work_reason": self.grounds[Grounds.WORK],
            "with_starter": self.grounds[Grounds.STARTER],
            "only_to_meet": self.grounds[Grounds.MEET],
        }


class _Timeline:
    """Time-sorted records, sliced by time without rescanning."""

    def __init__(self, records: Sequence[Record]) -> None:
        self.records = sorted(records, key=lambda r: r["ts"])
        self.times = [_parse_ts(r["ts"]) for r in self.records]

    def between(self, start: datetime, end: datetime) -> Sequence[Record]:
        return self.records[bisect_left(self.times, start) : bisect_left(self.times, end)]


def asked_topics(question: str) -> set[str]:
    """The topics the bot records for a who-knows question (``features.intros.note_question``),
    as introductions read them back (``intro_repo.asked_topics``: never "issue" or "help")."""
    topics = {normalize_topic(w) for w in query_terms(question)}
    return {t for t in topics if len(t) > 2 and is_topic_in_text(t)}


def interactions(queries: Sequence[Record]) -> dict[frozenset[str], list[datetime]]:
    """When each unordered pair interacted: an asker and a person relevant to their question."""
    seen: dict[frozenset[str], list[datetime]] = defaultdict(list)
    for query in queries:
        for person in query["relevant"]:
            if person != query["asker"]:
                seen[frozenset((query["asker"], person))].append(_parse_ts(query["ts"]))
    return seen


def _interacted(
    log: Mapping[frozenset[str], list[datetime]], a: str, b: str, start: datetime
) -> bool:
    return any(start <= t < start + HORIZON for t in log.get(frozenset((a, b)), ()))


def random_pairs(
    people: Sequence[Participant], rng: random.Random, *, cross_team: bool = True
) -> list[tuple[str, str]]:
    """A random pairing across teams of the same people (whoever can't be placed sits out)."""
    pool = list(people)
    rng.shuffle(pool)
    pairs: list[tuple[str, str]] = []
    while len(pool) > 1:
        first = pool.pop()
        partner = next((p for p in pool if p.team != first.team or not cross_team), None)
        if partner is None:
            continue
        pool.remove(partner)
        pairs.append((first.user_id, partner.user_id))
    return pairs


def replay(
    narrations: Sequence[Record],
    queries: Sequence[Record],
    *,
    name: str,
    active_days: int = ACTIVE_DAYS,
) -> Result:
    said, asked = _Timeline(narrations), _Timeline(queries)
    log = interactions(queries)
    # A set with a single team (a Q&A site) can't be paired across teams: allow same-team.
    cross_team = len({r.get("team") for r in narrations}) > 1
    if active_days < 1:
        raise ValueError(f"active_days must be at least 1 (got {active_days})")
    result = Result(dataset=name, cross_team=cross_team, active_days=active_days)
    active = timedelta(days=active_days)
    if not queries:
        return result
    rng = random.Random(20261122)
    keys: dict[str, int] = {}
    history: list[tuple[datetime, tuple[str, ...], tuple[str | None, ...]]] = []
    start = asked.times[0]
    last = asked.times[-1] - HORIZON
    while start <= last:
        result.scorable_weeks += 1
        people = _participants(said, asked, start, active, keys, history)
        if len(people) >= 2:
            rules = Rules(cross_team_only=cross_team, seed=result.weeks)
            pairing = Pairing(people, rules=rules, team_ties=_ties(history))
            for suggestion in pairing.plan():
                group = [pairing.people[k] for k in suggestion.members]
                result.introductions += 1
                why = reason(suggestion, pairing, period=PERIOD)
                result.with_reason += bool(why.line.strip())
                result.grounds[why.grounds] += 1
                history.append(
                    (start, tuple(p.user_id for p in group), tuple(p.team for p in group))
                )
                for a, b in combinations(group, 2):
                    if a.team != b.team or not cross_team:
                        result.suggested.pairs += 1
                        result.suggested.hits += _interacted(log, a.user_id, b.user_id, start)
            for _ in range(RANDOM_DRAWS):
                for x, y in random_pairs(people, rng, cross_team=cross_team):
                    result.random.pairs += 1
                    result.random.hits += _interacted(log, x, y, start)
            result.weeks += 1
        start += WEEK
    return result


def _participants(
    said: _Timeline,
    asked: _Timeline,
    start: datetime,
    active: timedelta,
    keys: dict[str, int],
    history: Sequence[tuple[datetime, tuple[str, ...], tuple[str | None, ...]]],
) -> list[Participant]:
    topics: dict[str, dict[str, frozenset[int | None]]] = defaultdict(dict)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    teams: dict[str, str | None] = {}
    for record in said.between(start - active, start):
        teams[record["person"]] = record.get("team")
    for record in said.between(start - LOOKBACK, start):
        person = record["person"]
        if person in teams:
            for topic in extract_topics(record["text"]):
                topics[person][topic] = frozenset({None})
                counts[person][topic] += 1
    questions: dict[str, set[str]] = defaultdict(set)
    for query in asked.between(start - LOOKBACK, start):
        questions[query["asker"]] |= asked_topics(query["query"])
    partners: dict[str, set[str]] = defaultdict(set)
    for when, members, _ in history:
        if start - when < timedelta(weeks=REPEAT_WEEKS):
            for a, b in combinations(members, 2):
                partners[a].add(b)
                partners[b].add(a)
    for person in teams:
        keys.setdefault(person, len(keys))
    return [
        Participant(
            key=keys[person],
            user_id=person,
            team=team,
            topics=topics[person],
            asked=frozenset(questions.get(person, ())),
            recent_partners=frozenset(keys[p] for p in partners.get(person, ()) if p in keys),
            strength={t: 1 + math.log(n) for t, n in counts[person].items()},
        )
        for person, team in sorted(teams.items())
    ]


def _ties(
    history: Sequence[tuple[datetime, tuple[str, ...], tuple[str | None, ...]]],
) -> dict[frozenset[str], int]:
    ties: dict[frozenset[str], int] = defaultdict(int)
    for _, _, teams in history:
        for pair in combinations(sorted({t for t in teams if t}), 2):
            ties[frozenset(pair)] += 1
    return ties


def format_result(result: Result, seconds: float) -> str:
    kind = "cross-team" if result.cross_team else "same-team (one team in the set)"
    lift = f"{result.lift:.2f}x" if result.lift is not None else f"n/a ({result.why_no_lift})"
    return (
        f"{result.dataset}: {result.weeks} weeks, {result.introductions} introductions "
        f"({result.with_reason} with a reason: {result.grounds[Grounds.WORK]} work in common, "
        f"{result.grounds[Grounds.STARTER]} what each narrates, "
        f"{result.grounds[Grounds.MEET]} only a chance to meet)\n"
        f"  suggested {kind} pairs: {result.suggested.hits}/{result.suggested.pairs} "
        f"interacted within 12 weeks ({result.suggested.rate:.2%})\n"
        f"  random pairs of the same people: {result.random.hits}/{result.random.pairs} "
        f"({result.random.rate:.2%}, {RANDOM_DRAWS} seeded draws per week)\n"
        f"  lift: {lift}   replayed in {seconds} s"
    )


def run_cli(data_dir: Path, *, as_json: bool, active_days: int = ACTIVE_DAYS) -> int:
    try:
        narrations, queries = load_dataset(data_dir)
    except DataError as problem:
        sys.stderr.write(f"narrate-bot eval connections: {problem}\n")
        return 2
    if active_days < 1:
        sys.stderr.write(
            f"narrate-bot eval connections: --active-days must be at least 1 (got {active_days}):"
            " it is how many days back someone's last narration may be for them to take part.\n"
        )
        return 2
    started = time.perf_counter()
    result = replay(narrations, queries, name=data_dir.resolve().name, active_days=active_days)
    seconds = round(time.perf_counter() - started, 1)
    sys.stdout.write(format_result(result, seconds) + "\n")
    if as_json:
        sys.stdout.write(
            json.dumps({**result.as_dict(), "seconds": seconds}, allow_nan=False) + "\n"
        )
    return 0
