"""The one line that says why two (or three) people are introduced.

Built only from what the weight used, so the reason never claims more than the matcher knew:
topics both can read, a question one asked that the other's narrations answer, teams with few
ties yet. Never empty: a pair with nothing in common is still told what they do have (different
teams, overlapping hours, a first meeting).
"""

from __future__ import annotations

from itertools import combinations

from .pairing import Pairing, Participant, Suggestion

MAX_TOPICS = 3
FEW_TIES = 2


def _listing(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _mention(person: Participant) -> str:
    return f"<@{person.user_id}>"


def _team_clause(people: list[Participant], pairing: Pairing) -> str | None:
    teams = sorted({p.team for p in people if p.team})
    if len(teams) < 2:
        return None
    ties = [pairing.team_ties.get(frozenset(pair), 0) for pair in combinations(teams, 2)]
    if max(ties) == 0:
        return f"{_listing(teams)} haven't been introduced yet"
    if len(teams) == 2 and ties[0] <= FEW_TIES:
        times = "once" if ties[0] == 1 else "twice"
        return f"{teams[0]} and {teams[1]} have met only {times} so far"
    return f"you bring {_listing(teams)} together"


def reason_line(suggestion: Suggestion, pairing: Pairing, *, period: str) -> str:
    people = [pairing.people[k] for k in suggestion.members]
    first, second = people[0], people[1]
    trio = len(people) == 3
    clauses: list[str] = []
    if suggestion.shared:
        who = f"{_mention(first)} and {_mention(second)} both" if trio else "you both"
        topics = _listing(list(suggestion.shared[:MAX_TOPICS]))
        clauses.append(f"{who} narrated about {topics} {period}")
    if suggestion.answers:
        asker, narrator, topic = suggestion.answers[0]
        clauses.append(
            f"{_mention(pairing.people[narrator])} narrated about {topic}, which "
            f"{_mention(pairing.people[asker])} asked about"
        )
    if trio:
        third = people[2]
        links = [(pairing.explain(third, other), other) for other in (first, second)]
        link, other = max(links, key=lambda item: (len(item[0].shared), item[0].weight))
        if link.shared:
            topics = _listing(list(link.shared[:MAX_TOPICS]))
            clauses.append(f"{_mention(third)} narrated about {topics} too, like {_mention(other)}")
        else:
            clauses.append(f"{_mention(third)} joins to make three this week")
    team = _team_clause(people, pairing)
    if team:
        clauses.append(team)
    if not suggestion.shared and not suggestion.answers:
        hours = " and your working hours overlap" if pairing.overlap(first, second) else ""
        clauses.append(f"you haven't been introduced recently{hours}")
    return "; ".join(clauses)
