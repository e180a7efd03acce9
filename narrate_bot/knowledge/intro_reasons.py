"""The one line that says why two (or three) people are introduced, as its readers may read it.

Built only from what the weight used, so the reason never claims more than the matcher knew:
topics both can read, a question one asked that the other's narrations answer, a topic one
declared (``ask-me-about``) that the other narrates or asked about, teams with few ties yet.
Never empty, and never a bare "you haven't been introduced": a pair with no work in common is
told what each of them narrates (what the readers may read, the most narrated first) as
something to start from; people with nothing to cite are told plainly that this is a chance to
meet someone from another team.

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
from .topic_match import matches, spelled_topic_stems
from .topics import common_to_most, shows_a_subject

MAX_TOPICS = 3
STARTER_TOPICS = 2  # per person, when what they narrate is only a conversation starter
FEW_TIES = 2


class Grounds(StrEnum):
    """What a reason rests on, for the evaluation's counts (never shown)."""

    WORK = "work"  # a topic both narrate, a question answered, a declared topic
    STARTER = "starter"  # what each narrates, with nothing in common
    MEET = "meet"  # nothing to cite: a chance to meet


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
    grounds: Grounds = Grounds.WORK


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
    """Owner's topics that every one of these ``readers`` may read, and that say who knows
    what (``_citable``)."""
    if readers is Readers.GROUP:
        readable = pairing.readable_by(owner, people)
    elif readers is Readers.WORKSPACE:
        readable = pairing.public(owner)
    else:
        return frozenset()
    return frozenset(t for t in readable if _citable(pairing, t))


def _citable(pairing: Pairing, topic: str) -> bool:
    """Whether a reason may cite ``topic``: a subject shown as what someone knows about
    (``topics.shows_a_subject``: not "latest" or "wrong"), and not one most of this round's
    people narrate or asked about (``topics.common_to_most``): "you both narrated about
    quantum" tells a quantum computing team nothing. The weight still counts them."""
    if not shows_a_subject(topic):
        return False
    return not common_to_most(pairing.df.get(topic, 0), of=len(pairing.people))


def _starter_topics(
    pairing: Pairing, person: Participant, showable: frozenset[str], people: list[Participant]
) -> list[str]:
    """What to tell others a person narrates about: the topics they narrated most (then the
    rarest), topics someone in the group found "not useful" in an introduction last. Never a
    topic anyone in the group hid: their own hidden topics are gone already, and naming the
    other's "kafka" to someone who hid kafka (perhaps right after asking who knows about it)
    ties it to them."""
    hidden = [h for p in people for h in p.hidden]
    disliked = frozenset().union(*(p.disliked for p in people))
    return sorted(
        (t for t in showable if not any(matches(h, spelled_topic_stems(t)) for h in hidden)),
        key=lambda t: (
            t in disliked,
            -person.strength.get(t, 1.0),
            -pairing.idf.get(t, 0.0),
            t,
        ),
    )[:STARTER_TOPICS]


def _starter(
    pairing: Pairing, people: list[Participant], showable: dict[int, frozenset[str]]
) -> tuple[str | None, list[str]]:
    """ "<@a> narrates about x and y, <@b> about z": the first two's own topics, for a pair with
    no topic in common. Only whoever has something showable is named, so nothing is said about
    anyone's silence (it could stand for narrations elsewhere)."""
    parts: list[str] = []
    cited: list[str] = []
    for person in people[:2]:
        topics = _starter_topics(pairing, person, showable[person.key], people)
        if topics:
            verb = "narrates about " if not parts else "about "
            parts.append(f"{_mention(person)} {verb}{_listing(topics)}")
            cited += topics
    if not parts:
        return None, []
    if len(parts) == 2:
        return f"{parts[0]}, {parts[1]}", cited
    return parts[0], cited


def _offer_clause(pairing: Pairing, offer: tuple[int, int, str, str, bool], period: str) -> str:
    by, other, declared, _, asked = offer
    did = "asked about" if asked else f"narrated about {period}"
    return (
        f"{_mention(pairing.people[by])} is happy to be asked about {declared}, which "
        f"{_mention(pairing.people[other])} {did}"
    )


def _meet(people: list[Participant]) -> str:
    """The honest reason when nothing may be cited: a chance to meet, across teams only when
    every team is known and they differ."""
    teams = [p.team for p in people]
    if all(teams) and len(set(teams)) == len(teams):
        return "a chance to meet someone from another team"
    return "a chance to meet someone new"


def reason(
    suggestion: Suggestion, pairing: Pairing, *, period: str, readers: Readers = Readers.GROUP
) -> Reason:
    """The line for one message of this introduction. Each clause keeps only topics all its
    ``readers`` may read; with no work in common left to cite, it says what each of them
    narrates, and with nothing at all, that this is a chance to meet."""
    people = [pairing.people[k] for k in suggestion.members]
    first, second = people[0], people[1]
    trio = len(people) == 3
    showable = {p.key: _showable(pairing, p, people, readers) for p in people}
    # What each narrates, with nothing in common, is said only where they may read it too.
    current = {
        p.key: showable[p.key] & pairing.readable_by(p, people, owner_too=True) for p in people
    }
    shared = tuple(
        t for t in suggestion.shared if t in showable[first.key] and t in showable[second.key]
    )[:MAX_TOPICS]
    answers = (
        [a for a in suggestion.answers if a[2] in showable[a[1]]]
        if readers is Readers.GROUP
        else []
    )
    # A declaration is on the declarer's profile for the whole workspace, never outside it; a
    # question asked stays with the group, as above.
    offers = (
        [
            o
            for o in suggestion.offers
            if (readers is Readers.GROUP and o[4]) or (not o[4] and o[3] in showable[o[1]])
        ]
        if readers is not Readers.OUTSIDE
        else []
    )
    clauses: list[str] = []
    cited: list[str] = []
    grounds = Grounds.WORK
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
    if offers and not shared and not answers:
        clauses.append(_offer_clause(pairing, offers[0], period))
        cited.append(offers[0][3])
    elif not shared and not answers:
        starter, starters = _starter(pairing, people, current)
        if starter:
            clauses.append(starter)
            cited += starters
            grounds = Grounds.STARTER
        else:
            grounds = Grounds.MEET
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
        elif own := _starter_topics(pairing, third, current[third.key], people):
            clauses.append(
                f"{_mention(third)} joins to make three and narrates about {_listing(own)}"
            )
            cited += own
            if grounds is Grounds.MEET:
                grounds = Grounds.STARTER
        else:
            clauses.append(f"{_mention(third)} joins to make three this week")
    team = _team_clause(suggestion, people, pairing)
    if team:
        clauses.append(team)
    if grounds is Grounds.MEET:
        clauses.append(_meet(people))
    if grounds is not Grounds.WORK and _hours_overlap(people):
        clauses.append("your working hours overlap")
    return Reason(
        line="; ".join(clauses),
        topics=tuple(dict.fromkeys(cited)),
        answers_question=bool(answers),
        grounds=grounds,
    )


def reason_line(
    suggestion: Suggestion, pairing: Pairing, *, period: str, readers: Readers = Readers.GROUP
) -> str:
    """Only the line, for callers that never store what it cites (the evaluation)."""
    return reason(suggestion, pairing, period=period, readers=readers).line
