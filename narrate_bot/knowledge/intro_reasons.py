"""The one line that says why two (or three) people are introduced, as its readers may read it.

Built only from what the weight used, so the reason never claims more than the matcher knew:
topics both can read, a question one asked that the other's narrations answer, teams with few
ties yet. Never empty: a pair with nothing in common is still told what they do have (different
teams, working hours known to overlap, a first meeting).

The weight judged each pair by what the two may read of each other, but a reason has more
readers: the third of a trio, or everyone who reads the introductions channel. So each line is
cut to its ``Readers``: a group DM names topics every member may read (and a question one of
them asked, which the asker agreed to when joining); a channel post names only topics narrated
where the whole workspace may read them, and never a question; a channel shared with another
organisation gets no topics at all.

What a reason says about teams counts introductions only (never the private channels that also
weigh a pair), and this round's earlier ones too: a round asks for its reasons in the order
``Pairing.plan`` gave them, so its second payments–search pair reads "introduced only once so
far", not "haven't been introduced yet" again.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from itertools import combinations

from .pairing import Pairing, Participant, Suggestion

MAX_TOPICS = 3
FEW_TIES = 2


class Readers(StrEnum):
    """Who reads the message a reason goes into (not a narration's ``events.Audience``)."""

    GROUP = "group"  # a (group) DM to the people introduced
    WORKSPACE = "workspace"  # a channel anyone in the workspace may read
    OUTSIDE = "outside"  # a channel people from another organisation read too


@dataclass(frozen=True)
class Reason:
    """A reason line and what it cites: the topics are stored with the introduction (for "not
    useful" and the export), so they must be exactly the ones its readers saw."""

    line: str
    topics: tuple[str, ...]
    answers_question: bool


def _listing(items: list[str] | tuple[str, ...]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _mention(person: Participant) -> str:
    return f"<@{person.user_id}>"


def _ties(suggestion: Suggestion, pairing: Pairing, teams: list[str]) -> list[int]:
    """Introductions so far between each two of ``teams``: earlier rounds' and this one's."""
    if (given := pairing.ties_given.get(suggestion.members)) is not None:
        return given
    pairs = [frozenset(pair) for pair in combinations(teams, 2)]
    ties = [pairing.introduced.get(pair, 0) + pairing.introduced_now[pair] for pair in pairs]
    pairing.ties_given[suggestion.members] = ties
    pairing.introduced_now.update(pairs)
    return ties


def _team_clause(suggestion: Suggestion, people: list[Participant], pairing: Pairing) -> str | None:
    teams = sorted({p.team for p in people if p.team})
    if len(teams) < 2:
        return None
    ties = _ties(suggestion, pairing, teams)
    if max(ties) == 0:
        return f"{_listing(teams)} haven't been introduced yet"
    if len(teams) == 2 and ties[0] <= FEW_TIES:
        times = "once" if ties[0] == 1 else "twice"
        return f"{teams[0]} and {teams[1]} have been introduced only {times} so far"
    return f"you bring {_listing(teams)} together"


def _hours_overlap(people: list[Participant]) -> bool:
    """Whether "your working hours overlap" may be said to everyone introduced: only when every
    zone is known and every two of them overlap. Every pair, because that is what the matcher
    checked when it added a third (``Pairing._join_as_third``), so the line claims no more than
    it knew; a check on the first two alone told a trio with a third in Auckland their hours
    overlapped. Every pair is also enough for the whole group: three 8-hour days on a 24-hour
    clock that overlap two by two always share some time (three arcs that meet pairwise but
    not all together would have to cover the clock, which needs more than 24 hours of them),
    so the group can meet together, as the message asks."""
    return all(Pairing.overlap_known(a, b) for a, b in combinations(people, 2))


def _showable(
    pairing: Pairing, owner: Participant, people: list[Participant], readers: Readers
) -> frozenset[str]:
    """Owner's topics that every one of these ``readers`` may read."""
    if readers is Readers.GROUP:
        return pairing.readable_by(owner, people)
    if readers is Readers.WORKSPACE:
        return pairing.public(owner)
    return frozenset()


def reason(
    suggestion: Suggestion, pairing: Pairing, *, period: str, readers: Readers = Readers.GROUP
) -> Reason:
    """The line for one message of this introduction. Each clause keeps only topics all its
    ``readers`` may read; with none left the line falls back to teams and hours, so it still
    reads as a reason."""
    people = [pairing.people[k] for k in suggestion.members]
    first, second = people[0], people[1]
    trio = len(people) == 3
    showable = {p.key: _showable(pairing, p, people, readers) for p in people}
    shared = tuple(
        t for t in suggestion.shared if t in showable[first.key] and t in showable[second.key]
    )[:MAX_TOPICS]
    answers = (
        [a for a in suggestion.answers if a[2] in showable[a[1]]]
        if readers is Readers.GROUP
        else []
    )
    clauses: list[str] = []
    cited: list[str] = []
    if shared:
        who = f"{_mention(first)} and {_mention(second)} both" if trio else "you both"
        clauses.append(f"{who} narrated about {_listing(shared)} {period}")
        cited += shared
    if answers:
        asker, narrator, topic = answers[0]
        clauses.append(
            f"{_mention(pairing.people[narrator])} narrated about {topic}, which "
            f"{_mention(pairing.people[asker])} asked about"
        )
        cited.append(topic)
    if trio:
        third = people[2]
        links = []
        for other in (first, second):
            link = pairing.explain(third, other)
            both = showable[third.key] & showable[other.key]
            links.append((tuple(t for t in link.shared if t in both), link.weight, other))
        topics, _, other = max(links, key=lambda item: (len(item[0]), item[1]))
        if topics:
            clauses.append(
                f"{_mention(third)} narrated about {_listing(topics[:MAX_TOPICS])} too, "
                f"like {_mention(other)}"
            )
            cited += topics[:MAX_TOPICS]
        else:
            clauses.append(f"{_mention(third)} joins to make three this week")
    team = _team_clause(suggestion, people, pairing)
    if team:
        clauses.append(team)
    if not shared and not answers:
        hours = " and your working hours overlap" if _hours_overlap(people) else ""
        clauses.append(f"you haven't been introduced recently{hours}")
    return Reason(
        line="; ".join(clauses),
        topics=tuple(dict.fromkeys(cited)),
        answers_question=bool(answers),
    )


def reason_line(
    suggestion: Suggestion, pairing: Pairing, *, period: str, readers: Readers = Readers.GROUP
) -> str:
    """Only the line, for callers that never store what it cites (the evaluation)."""
    return reason(suggestion, pairing, period=period, readers=readers).line
