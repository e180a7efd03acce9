"""Who to introduce to whom this week, and why: weights, hard rules, a trio for an odd count.

Pure logic over ``Participant`` values the feature builds from storage (and the evaluation
builds from a bench set), so the bot and ``narrate-bot eval connections`` pair people the same
way. Hard rules are never bent: the same team (unless the tenant allows it), a private
never-pair wish, a repeat inside the window. Soft rules shape the weight: narrated topics both
people can read, a question one asked that the other's narrations answer, a topic one declared
(``ask-me-about``) that the other narrates or asked about, teams with few ties yet, earlier "not
useful" feedback, and working hours that overlap.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from .matching import Edge, max_weight_matching
from .topic_match import matches, spelled_topic_stems, stems

Offer = tuple[int, int, str, str, bool]  # (declared by, other, as declared, their topic, asked?)

WORK_START, WORK_END = 9.0, 17.0  # local working hours assumed for everyone
BASE_WEIGHT = 0.05  # any allowed pair is better than nobody
NOT_USEFUL_FACTOR = 0.3
ANSWER_FACTOR = 3.0  # a question someone else's narrations answer
TEAM_BONUS = 1.0


@dataclass(frozen=True)
class Participant:
    """One person who takes part this week, as the matcher sees them.

    ``topics`` maps each narrated topic to where it was narrated: ``None`` for places anyone in
    the tenant may read, else the private channel's key; a topic is only used for a pair when
    the other person may read it too. ``asked`` are topics of their recent who-knows questions.
    ``offers`` are the topics they declared with ``ask-me-about``, as typed: anyone in the
    workspace may read them already (their profile lists them). None holds a topic they hid
    (``without_hidden``).
    """

    key: int
    user_id: str
    team: str | None = None
    utc_offset: float | None = None
    topics: Mapping[str, frozenset[int | None]] = field(default_factory=dict)
    asked: frozenset[str] = frozenset()
    readable: frozenset[int] = frozenset()  # private channels they can read
    disliked: frozenset[str] = frozenset()  # topics cited in introductions they found not useful
    never: frozenset[str] = frozenset()  # user ids they asked never to be paired with
    recent_partners: frozenset[int] = frozenset()  # keys introduced within the repeat window
    # How often they narrated each topic (1 + log of the count); a topic absent here counts 1.
    strength: Mapping[str, float] = field(default_factory=dict)
    offers: frozenset[str] = frozenset()
    hidden: frozenset[str] = frozenset()  # their hide-me topics, kept by ``without_hidden``


def without_hidden(person: Participant, hidden: Iterable[str]) -> Participant:
    """The person with every topic matching one they hid taken out.

    Hiding wins and is broad (docs/adr/0011): a topic someone hid must be neither a reason to
    introduce them nor a word any reason line says about them, whichever side of a shared topic
    or of an answered question they are on. Dropping it here, before anything is weighed, keeps
    it out of the weight, the candidates, the idf and every reason alike.
    """
    hidden = list(hidden)
    if not hidden:
        return replace(person, hidden=frozenset()) if person.hidden else person

    def kept(topic: str) -> bool:
        topic_stems = spelled_topic_stems(topic)  # a listed phrase in any spelling
        return not any(matches(h, topic_stems) for h in hidden)

    return replace(
        person,
        topics={t: scopes for t, scopes in person.topics.items() if kept(t)},
        asked=frozenset(t for t in person.asked if kept(t)),
        offers=frozenset(t for t in person.offers if kept(t)),
        hidden=frozenset(hidden),
        strength={t: s for t, s in person.strength.items() if kept(t)},
    )


@dataclass(frozen=True)
class Rules:
    cross_team_only: bool = True
    candidates_per_person: int = 15
    random_candidates: int = 3
    seed: int = 0


@dataclass(frozen=True)
class Suggestion:
    """An introduction: two people (three for the odd one out) and what the reason may cite.

    ``shared``, ``answers`` and ``offers`` are about the first two members, limited to what every
    member may read (a trio's third too); a channel post cites less still (``intro_reasons``).
    An offer is a topic one declared (``ask-me-about``) that the other narrated (or asked about,
    when ``asked``) and that isn't already shared or answered.
    """

    members: tuple[int, ...]
    weight: float
    shared: tuple[str, ...] = ()
    answers: tuple[tuple[int, int, str], ...] = ()  # (asker key, narrator key, topic)
    offers: tuple[Offer, ...] = ()


class Pairing:
    """Scores pairs for one week's participants."""

    def __init__(
        self,
        people: Sequence[Participant],
        *,
        rules: Rules = Rules(),
        team_ties: Mapping[frozenset[str], int] | None = None,
        introduced: Mapping[frozenset[str], int] | None = None,
    ) -> None:
        self.people = {p.key: p for p in people}
        self.rules = rules
        self.team_ties = team_ties or {}
        # What a reason may say about teams: introductions between them only. ``team_ties`` also
        # counts private channels both teams read, which only weighs pairs and is never shown.
        self.introduced = self.team_ties if introduced is None else introduced
        df: dict[str, int] = defaultdict(int)
        for person in people:
            for topic in set(person.topics) | person.asked:
                df[topic] += 1
        count = max(len(people), 1)
        self.idf = {t: math.log(1 + count / n) for t, n in df.items()}
        self.df = df
        self._scoped: dict[int, tuple[frozenset[str], list[tuple[str, frozenset[int]]]]] = {}
        # Known topics by stem, to find which ones a declared topic ("kafka consumers") covers.
        self._by_stem: dict[str, set[str]] = defaultdict(set)
        if any(p.offers for p in people):
            for topic in df:
                for one in stems(topic):
                    self._by_stem[one].add(topic)
        self._offered: dict[int, dict[str, str]] = {}
        # This round's introductions so far, as their reasons counted them (intro_reasons), and
        # each introduction's counts as first given, so its group DM and its channel post agree.
        self.introduced_now: Counter[frozenset[str]] = Counter()
        self.ties_given: dict[tuple[int, ...], list[int]] = {}

    # ------------------------------------------------------------------------------- rules

    def allowed(self, a: Participant, b: Participant) -> bool:
        if a.key == b.key:
            return False
        if self.rules.cross_team_only and a.team is not None and a.team == b.team:
            return False
        if b.user_id in a.never or a.user_id in b.never:
            return False
        return b.key not in a.recent_partners and a.key not in b.recent_partners

    @staticmethod
    def overlap(a: Participant, b: Participant) -> bool:
        """Do their working hours (9-17 local) overlap? Unknown zones are given the benefit."""
        if a.utc_offset is None or b.utc_offset is None:
            return True
        diff = abs(a.utc_offset - b.utc_offset) % 24
        diff = min(diff, 24 - diff)
        return diff < WORK_END - WORK_START

    @staticmethod
    def overlap_known(a: Participant, b: Participant) -> bool:
        """Do their working hours overlap, as far as their time zones show? ``overlap`` gives
        unknown zones the benefit when choosing pairs; a reason may not (docs/adr/0008: it never
        claims more than the matcher knew), so this is true only when both zones are known."""
        return a.utc_offset is not None and b.utc_offset is not None and Pairing.overlap(a, b)

    # ----------------------------------------------------------------------------- weights

    def _visible(self, owner: Participant, viewer: Participant) -> frozenset[str]:
        """Owner's topics the viewer may read: anywhere public, or a private channel they read."""
        public, private = self._split(owner)
        if not private or not viewer.readable:
            return public
        return public | {t for t, scopes in private if scopes & viewer.readable}

    def readable_by(
        self, owner: Participant, viewers: Sequence[Participant], *, owner_too: bool = False
    ) -> frozenset[str]:
        """Owner's topics that every one of ``viewers`` may read on their own.

        A message to several people may only say what each of them could already read: a
        private channel's topic counts only when every viewer reads one of the channels it was
        narrated in. The owner may always read their own, so only the others are checked,
        unless ``owner_too``: what someone narrated in a channel they have since left is theirs
        to read, but no longer something to introduce them by.
        """
        public, private = self._split(owner)
        if not private:
            return public
        others = [v for v in viewers if owner_too or v.key != owner.key]
        return public | {t for t, scopes in private if all(scopes & v.readable for v in others)}

    def public(self, owner: Participant) -> frozenset[str]:
        """Owner's topics anyone in the tenant may read: what a channel post may cite."""
        return self._split(owner)[0]

    def _split(
        self, person: Participant
    ) -> tuple[frozenset[str], list[tuple[str, frozenset[int]]]]:
        cached = self._scoped.get(person.key)
        if cached is None:
            public = frozenset(t for t, scopes in person.topics.items() if None in scopes)
            private = [
                (t, frozenset(s for s in scopes if s is not None))
                for t, scopes in person.topics.items()
                if None not in scopes
            ]
            cached = self._scoped[person.key] = (public, private)
        return cached

    def offered(self, person: Participant) -> dict[str, str]:
        """Known topics (narrated or asked about by anyone this week) that one of the person's
        declared topics covers, each with the declaration: "kafka consumers" covers "kafka" and
        "consumer". Rarest first, so the best one is cited."""
        cached = self._offered.get(person.key)
        if cached is None:
            found: dict[str, str] = {}
            for declared in sorted(person.offers):
                declared_stems = stems(declared)
                near = set().union(*(self._by_stem.get(one, set()) for one in declared_stems))
                for topic in near:
                    if matches(topic, declared_stems):
                        found.setdefault(topic, declared)
            cached = self._offered[person.key] = dict(
                sorted(found.items(), key=lambda item: (-self.idf.get(item[0], 0.0), item[0]))
            )
        return cached

    def _offers(
        self,
        a: Participant,
        b: Participant,
        visible: Mapping[int, frozenset[str]],
        taken: set[str],
    ) -> list[Offer]:
        """What one declared and the other narrated (where the declarer may read it) or asked
        about, beyond the topics already shared or answered (``taken``)."""
        offers: list[Offer] = []
        for by, other in ((a, b), (b, a)):
            if not by.offers:
                continue
            for topic, declared in self.offered(by).items():
                if topic in taken:
                    continue
                if topic in visible[other.key]:
                    offers.append((by.key, other.key, declared, topic, False))
                elif topic in other.asked:
                    offers.append((by.key, other.key, declared, topic, True))
        return offers

    def explain(self, a: Participant, b: Participant) -> Suggestion:
        """The pair's weight and the topics, answered questions and offers behind it."""
        from_a, from_b = self._visible(a, b), self._visible(b, a)
        shared = sorted(from_a & from_b, key=lambda t: (-self.idf.get(t, 0.0), t))
        answers = [(a.key, b.key, t) for t in sorted(a.asked & from_b)]
        answers += [(b.key, a.key, t) for t in sorted(b.asked & from_a)]
        taken = set(shared) | {t for _, _, t in answers}
        offers = self._offers(a, b, {a.key: from_a, b.key: from_b}, taken)
        disliked = a.disliked | b.disliked
        weight = BASE_WEIGHT
        for topic in shared:
            depth = math.sqrt(a.strength.get(topic, 1.0) * b.strength.get(topic, 1.0))
            weight += depth * self.idf[topic] * (NOT_USEFUL_FACTOR if topic in disliked else 1.0)
        for _, _, topic in answers:
            factor = NOT_USEFUL_FACTOR if topic in disliked else 1.0
            weight += ANSWER_FACTOR * self.idf.get(topic, 0.0) * factor
        # A declared topic the other narrates weighs like a shared one, one they asked about
        # like an answered question: the declarer said they'd welcome being asked.
        for _, _, _, topic, asked in offers:
            factor = NOT_USEFUL_FACTOR if topic in disliked else 1.0
            weight += (ANSWER_FACTOR if asked else 1.0) * self.idf.get(topic, 0.0) * factor
        if a.team is not None and b.team is not None and a.team != b.team:
            weight += TEAM_BONUS / (1 + self.team_ties.get(frozenset((a.team, b.team)), 0))
        return Suggestion(
            members=(a.key, b.key),
            weight=weight,
            shared=tuple(shared),
            answers=tuple(answers),
            offers=tuple(offers),
        )

    # -------------------------------------------------------------------------- candidates

    def candidate_edges(self, keys: Sequence[int]) -> list[Edge]:
        """A sparse graph: each person's best topic neighbours plus a few random allowed ones.

        Scoring every pair is quadratic; people who share no topic differ only by the team
        bonus, so a few random allowed candidates per person stand in for all of them.
        """
        pool = [self.people[k] for k in keys]
        if len(pool) <= 300:
            return self._edges([(a, b) for i, a in enumerate(pool) for b in pool[i + 1 :]])
        limit = max(50, len(pool) // 20)  # topics everyone shares find nobody in particular
        index: dict[str, list[Participant]] = defaultdict(list)
        for person in pool:
            for topic in set(person.topics) | set(self.offered(person)):
                index[topic].append(person)
        rng = random.Random(self.rules.seed)
        pairs: set[tuple[int, int]] = set()
        for a in pool:
            score: dict[int, float] = defaultdict(float)
            for topic in set(a.topics) | a.asked | set(self.offered(a)):
                holders = index.get(topic, ())
                if len(holders) > limit:
                    continue
                for b in holders:
                    score[b.key] += self.idf[topic]
            ranked = sorted(score, key=lambda k: (-score[k], k))
            taken = 0
            for k in ranked:
                if taken >= self.rules.candidates_per_person:
                    break
                if self.allowed(a, self.people[k]):
                    pairs.add((min(a.key, k), max(a.key, k)))
                    taken += 1
            added = 0
            for _ in range(self.rules.random_candidates * 3):  # a few tries past the rules
                b = pool[rng.randrange(len(pool))]
                if added < self.rules.random_candidates and self.allowed(a, b):
                    pairs.add((min(a.key, b.key), max(a.key, b.key)))
                    added += 1
        return self._edges([(self.people[x], self.people[y]) for x, y in sorted(pairs)])

    def _edges(self, pairs: Sequence[tuple[Participant, Participant]]) -> list[Edge]:
        return [(a.key, b.key, self.explain(a, b).weight) for a, b in pairs if self.allowed(a, b)]

    # ---------------------------------------------------------------------------- the week

    def plan(self) -> list[Suggestion]:
        """This week's introductions: a heavy matching on overlapping working hours first, the
        rest among whoever is left, then the odd one out joins a pair as a trio."""
        keys = sorted(self.people)
        edges = self.candidate_edges(keys)
        overlapping = [e for e in edges if self.overlap(self.people[e[0]], self.people[e[1]])]
        pairs = max_weight_matching(overlapping)
        matched = {k for pair in pairs for k in pair}
        left = [k for k in keys if k not in matched]
        if len(left) > 1:
            rest = self._edges(
                [
                    (self.people[x], self.people[y])
                    for i, x in enumerate(left)
                    for y in left[i + 1 :]
                ]
                if len(left) <= 300
                else [(self.people[x], self.people[y]) for x, y, _ in self.candidate_edges(left)]
            )
            pairs += max_weight_matching(rest)
            matched = {k for pair in pairs for k in pair}
            left = [k for k in keys if k not in matched]
        groups: list[tuple[int, ...]] = [tuple(p) for p in pairs]
        for odd in left:
            self._join_as_third(groups, odd)
        return [self._suggestion(g) for g in groups]

    def _join_as_third(self, groups: list[tuple[int, ...]], odd: int) -> None:
        person = self.people[odd]
        best, best_weight = None, float("-inf")
        for i, group in enumerate(groups):
            members = [self.people[k] for k in group]
            if len(group) != 2 or not all(self.allowed(person, m) for m in members):
                continue
            weight = sum(self.explain(person, m).weight for m in members)
            if not all(self.overlap(person, m) for m in members):
                weight -= 1000.0
            if weight > best_weight:
                best, best_weight = i, weight
        if best is not None:
            groups[best] = (*groups[best], odd)

    def suggestion(self, group: tuple[int, ...]) -> Suggestion:
        """The suggestion for ``group`` (a pair, or a pair and its third) as the people stand
        now: for a plan whose participants were brought up to date after it was made."""
        return self._suggestion(group)

    def refresh(self, person: Participant) -> None:
        """Replace one participant (what they narrate or may read changed); the idf stays."""
        self.people[person.key] = person
        self._scoped.pop(person.key, None)
        self._offered.pop(person.key, None)

    def _suggestion(self, group: tuple[int, ...]) -> Suggestion:
        first = self.explain(self.people[group[0]], self.people[group[1]])
        if len(group) == 2:
            return first
        third = self.people[group[2]]
        extras = [self.explain(third, self.people[k]) for k in group[:2]]
        # The third person reads the trio's message too: cite only what all three may read.
        return self.within(
            Suggestion(
                members=group,
                weight=first.weight + sum(e.weight for e in extras),
                shared=first.shared,
                answers=first.answers,
                offers=first.offers,
            )
        )

    def within(self, suggestion: Suggestion) -> Suggestion:
        """The suggestion cut down to what every member of its group may read.

        ``explain`` judges a pair by what each of the two may read of the other; a third member
        reads the same message, so a topic stays only if all of them could read it already. The
        weight is kept: it only ever chose the group, and is never shown.
        """
        members = [self.people[k] for k in suggestion.members]
        both = self.readable_by(members[0], members) & self.readable_by(members[1], members)
        answers = tuple(
            (asker, narrator, topic)
            for asker, narrator, topic in suggestion.answers
            if topic in self.readable_by(self.people[narrator], members)
        )
        # A declaration anyone may read; the other's side only if everyone may read it too (a
        # question asked is the asker's own, told only to the group, like an answered one).
        offers = tuple(
            offer
            for offer in suggestion.offers
            if offer[4] or offer[3] in self.readable_by(self.people[offer[1]], members)
        )
        return replace(
            suggestion,
            shared=tuple(t for t in suggestion.shared if t in both),
            answers=answers,
            offers=offers,
        )
