"""Telling a mistyped command word ("folow", "topcis", "profil") from a word that opens work.

``/narrate folow kafka`` used to be kept as a public narration about "folow" and "kafka", though
README promises that a mistyped command is never kept. A word counts as a typo of a command word
when it is one slip away from it (Damerau-Levenshtein distance 1: a letter missing, extra,
wrong or two letters swapped; 2 when both words have six letters or more; only a swap for four
letters), and it is not a word of its own: real words that close to a command word ("fellow",
"expert", "replay", "state", "lease"), forms of the command word itself ("paused", "noted",
"joined", "leaves", "profiled"), and the same with a prefix ("reschedule") open real updates,
so they never count. Pure logic: the caller decides what the corrected words mean.
"""

from __future__ import annotations

from collections.abc import Iterable

# Only these real words name a command by another number: "topic" alone meant "topics".
# (Callers accept them only when the corrected words are the command itself, not an attempt.)
NUMBER_SLIPS = {"topic": "topics", "intro": "intros", "introduction": "intros"}

_SHORTEST = 4
_SUFFIXES = frozenset({"s", "es", "d", "ed", "ing", "ings", "r", "er", "ers", "ly", "able"})
_PREFIXES = frozenset({"re", "pre", "un", "de", "dis", "sub", "co"})
# English words (US word list, every one a slip away from a command word under the rule above)
# and technical words people open updates with: never a typo.
_REAL_WORDS_TEXT = """
    aspics assume beatings behind bellow betting billow bistros callow cause celeste cleave
    coffin coifing comics confab confer confide configmap configmaps confine confirm conics
    conking connie conning consign consing copies cuttings dearth debate deflate delegate
    deleon delude deluge deluxe demand demeter deming demote denote deplete depleted depletes
    deport depute devote dilate dilute dollop effort ensnare ermine escort estates exhort
    exhorts expect expert experts expire expiry exploit explore exporter expose extort extorts
    fallow fallows fellow fellows fittings folios followup followups folsom forget
    forgets gemini getting hallow hearth heave helene hiatus hollow hollows import ingres
    inshore interns inters intrust inures ionics jetting joni jottings lease leaven legume
    letting mallow meetings mellow metros mien netting newport onshore optics parse petting
    pillow pintos presume presumed presumes profane profit profited profits profuse promise
    provide reaming rebind rebinds rebuke redmond reduce refile refine refined refuge refund
    refuse refute regime regina reined relate relied remain remained remains remand remands
    remiss remits rename repay replay replete report repute resale rescind rescue resend reside
    resins result retina rewind rewinds riming sallow scarce scare scats scheduled
    scheduler schedulers scorch seaport seared seating seats seeings seraph servings sesame
    setting settling shade shake shale shame shane shape shari shark sharp
    sharpe shave shire shore sitting sittings skates slates slats smirch snafus snare snatch
    spare spates spats stabs stacks staffs stages stags stains stairs stakes stales stalks
    stalls stamps stanch stands starch starchy stare stares stars starts startup startups state
    stated staten stater states static statsd statue statues stature statures
    statute statutes staves stays stings stoats stoics stratum stratums strings struts stylus
    subscript swatch swaths swats tallow tapirs timeline tonics topical topology
    tories toxins tropic tropics tunics unaware unsafe unsaid unshaven unsnap unsnarl unstop
    unsure utopias vetting wallow weave wetting willow yellow
"""
_REAL_WORDS = frozenset(_REAL_WORDS_TEXT.split())


def distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment): slips a person makes typing."""
    before = list(range(len(b) + 1))
    earlier: list[int] = []
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(before[j] + 1, row[j - 1] + 1, before[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], earlier[j - 2] + 1)
        earlier, before = before, row
    return before[len(b)]


def _real(word: str) -> bool:
    """A word of its own, or one inflected ("replays", "rewinding"), or no word at all."""
    if not word.replace("-", "").isalpha():
        return True
    stems = [word[: -len(end)] for end in _SUFFIXES if word.endswith(end)]
    return word in _REAL_WORDS or any(stem in _REAL_WORDS for stem in stems)


def _form_of(word: str, command: str) -> bool:
    """``word`` is ``command`` inflected ("paused", "leaves", "stopped") or prefixed
    ("reschedule"): a real word, whatever its distance."""
    stems = {command, command + command[-1]}
    if command.endswith("e"):
        stems.add(command[:-1])
    if any(word.startswith(stem) and word[len(stem) :] in _SUFFIXES for stem in stems):
        return True
    return word.endswith(command) and word[: -len(command)] in _PREFIXES


def _swapped(word: str, command: str) -> bool:
    """Two neighbouring letters swapped, and nothing else ("jion" for "join")."""
    if len(word) != len(command) or sorted(word) != sorted(command):
        return False
    wrong = [i for i, (a, b) in enumerate(zip(word, command, strict=True)) if a != b]
    return len(wrong) == 2 and wrong[1] == wrong[0] + 1


def slip_of(word: str, commands: Iterable[str]) -> str | None:
    """The command word ``word`` is a slip of, or ``None`` (closest first, then alphabetical)."""
    typed = word.lower()
    targets = set(commands)
    if len(typed) < _SHORTEST or typed in targets or _real(typed):
        return None
    best: tuple[int, str] | None = None
    for command in sorted(targets):
        if typed == command or abs(len(typed) - len(command)) > 2 or _form_of(typed, command):
            continue
        if len(typed) == _SHORTEST or len(command) == _SHORTEST:
            if _swapped(typed, command) and (best is None or best[0] > 1):
                best = (1, command)
            continue
        limit = 2 if min(len(typed), len(command)) >= 6 else 1
        far = distance(typed, command)
        if far <= limit and (best is None or far < best[0]):
            best = (far, command)
    return best[1] if best else None
