"""Topics of a narration: a handful of normalized words that say what it is about.

Deliberately simple and explainable (people see their topics): hashtags first, then the content
words that occur most, with a crude singular form so "migrations" and "migration" meet.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from .clean_text import without_markup
from .spellings import fold_accents
from .words import STOPWORDS, content_words, hashtags, symbol_names

MAX_TOPICS = 8
MAX_TOPIC_LEN = 64

# Names people narrate about that end in "s" without being plurals. Topics are shown to people
# ("you both narrated about postgres"), so "postgre" or "kubernete" would read as a bug.
_NOT_PLURAL_TEXT = """
    postgres kubernetes jenkins pandas numpy redis series news species https dns aws gcs
    sms ios macos chaos kudos canvas atlas status nexus corpus devops ops mlops gitops finops
    secops analytics physics economics mathematics graphics ethics logistics
"""
# Added with the "es" plurals below, from the benchmark narrations: "gopl", "emac", "alia" and
# "mechanic" (of quantum mechanics) were on the map. Kept apart: ``_folded_before`` reads the
# topics stored without them.
_NOT_PLURAL_ADDED_TEXT = """
    gopls emacs codelens xerrors alias bias statistics mechanics dynamics optics electronics
    semantics robotics photonics
"""
_NOT_PLURAL_BEFORE = frozenset(_NOT_PLURAL_TEXT.split())
_NOT_PLURAL = _NOT_PLURAL_BEFORE | frozenset(_NOT_PLURAL_ADDED_TEXT.split())

# Plurals whose singular isn't the word less its "s" (or "es"): "matrice" or "indice" on the map
# would read as a typo of the person's own word.
_IRREGULAR_TEXT = """
    matrices:matrix indices:index vertices:vertex appendices:appendix parentheses:parenthesis
    analyses:analysis hypotheses:hypothesis theses:thesis crises:crisis axes:axis
"""
_IRREGULAR = dict(pair.split(":") for pair in _IRREGULAR_TEXT.split())

# Plurals made with "es": "passes" is many a pass, not a "passe". After s, sh, x, z and most "ch"
# endings English adds "es"; "caches", "niches" and "headaches" are the "-che" words that add "s".
_ES_PLURAL_ENDINGS = ("sses", "shes", "tches", "nches", "rches", "eaches", "oaches", "xes", "zzes")
# The words with those endings whose singular ends in "e" all the same.
_E_SINGULAR_TEXT = """
    impasse finesse posse crevasse lacrosse largesse avalanche moustache mustache
"""
_E_SINGULAR = frozenset(_E_SINGULAR_TEXT.split())

# What people *did* is not what they know about: "upgraded the kafka brokers" is about kafka.
# These work verbs stay searchable (a question may use them) but are never a topic.
_WORK_VERB_TEXT = """
    upgraded tuned prototyped migrated refactored refactoring reviewed deployed released
    implemented implementing improved improving investigated investigating debugged cleaned
    wired merged landed tested removed renamed bumped rewrote rewriting finishing starting
    paired helped prepared planned discussed discussing continued continuing spent spending
    learned learnt created
"""
_WORK_VERBS = frozenset(_WORK_VERB_TEXT.split())

# How it went, and when: "the release went fine this morning, finally green" is about the
# release. Like the work verbs these stay searchable, but a topic map or an introduction
# ("you both narrated about finally, fine and green") must never be made of them.
_FILLER_TEXT = """
    went go goes going gone come came coming take took taken taking give gave keep kept let
    fine good great nice okay bad better best worse worst easy hard quick quickly slow slowly
    finally almost mostly mainly already again nearly maybe probably actually basically
    pretty quite little bit bits stuff whole half full enough sure last next first second
    green red yellow morning afternoon evening night tonight weekend month months hour hours
    minute minutes earlier later soon now ago time times sprint standup today's tomorrow's
    happy glad sad busy ready tough tricky interesting lovely awesome cool
    seems seemed looks looked feel felt think thought want wanted said says told asked ask see
    lot plenty many several various another others everything nothing anything
"""
_FILLER = frozenset(_FILLER_TEXT.split())

# Where the work stands and how it is organized, not what it is about: "stuck on the postgres
# vacuum, need help" is about postgres and vacuum; a topic map led by "blocked", "issue" and
# "help", or an introduction "you both narrated about issue", says nothing. Chosen from the words
# the benchmark narrations made topics of (golang-tools, se-quantumcomputing-2018) and what blocker
# narrations say, plus the base forms of the work verbs above. Words that are some team's subject
# stay topics even when they are often filler: sync (Go's sync package, data sync), call
# (function calls), plan (Plan 9), and test, build, release, deploy, debug, merge, refactor,
# support, documentation and feedback. "progress" goes: in work updates it is how far along
# something is ("good progress on the migration"); gopls' progress reporting says lsp too.
_STATUS_TEXT = """
    stuck blocked blocker blockers blocking unblock unblocked help helping helpful
    issue issues problem problems bug bugs trouble question questions answer answers answered
    per doc docs todo todos wip progress ticket tickets task tasks review reviews followup
    meeting meetings retro standups eod eow asap fyi etc
    remove improve implement investigate bump rewrite finish start prepare discuss continue
    spend learn create try
    instead possible exactly following based available non way one two three four five
"""
_STATUS = frozenset(_STATUS_TEXT.split())

# Words any narration may use whatever it is about: "check the return value in this case", "what
# does this line mean", "figure out why it went back". Chosen from the top 250 topics of the
# benchmark narrations (golang-tools, se-quantumcomputing-2018) as the words that name no subject
# on either: the verbs of doing anything, the nouns of pointing at something ("name", "line",
# "case", "step", "example"), how things are ("different", "missing", "simple"), "code" and
# "file" (every software narration's), "internal" (a path part, "internal/lsp"), the parts of a
# domain name ("golang.org"), and LaTeX commands and Greek letters from formulas ("\rangle",
# "\frac", "\psi"). Words that are some team's subject stay topics: type, value, function,
# method, error, cache, pass, flag, range, view, report, request, user, list, input, output,
# mode, option, source.
_GENERIC_TEXT = """
    check checks checked checking return returns mean means meaning figure figured back
    find found show shows shown avoid allow allows handle handles move moved set sets skip
    replace enable disable represent exist exists perform understand understanding calculate
    apply affect cause provide ignore include delete revert simplify correct given defined
    compared run running
    name names line lines case cases example kind term step result point end begin number
    difference different single left right missing present existing empty invalid broken
    minor major general simple real large specific certain necessary common special
    arbitrary important multiple previous previously since without even well may
    always perhaps whereas others ones thanks post paper experience
    code file internal org com www
    rangle langle frac sqrt otimes mathcal mathbb mathrm lvert rvert pmatrix bmatrix ldots
    vdots cdots cdot dagger psi phi rho theta
"""
_GENERIC = frozenset(_GENERIC_TEXT.split())

# When, and who: "nobody told me the migration lock is held until monday" is about the migration
# and the lock, "privately rotated the vault credentials" about the vault. Day and month names
# ("may" is generic above; short forms like "sat" and "sun" are no day here: SAT solvers, Sun),
# words of relative time, and the pronouns, determiners, prepositions and adverbs the stopwords
# leave out.
_WHEN_WHO_TEXT = """
    monday tuesday wednesday thursday friday saturday sunday weekday weekdays
    january february march april june july august september october november december
    fortnight year years decade recent upcoming former latter meanwhile nowadays overnight
    midnight noon
    nobody noone everyone everybody someone none mine hers whoever whatever whichever whenever
    wherever either neither every everywhere somewhere anywhere nowhere somehow anyway anyways
    oneself themself
    might whether though although never often sometime sometimes otherwise hence despite spite
    beyond behind inside outside along ahead apart beside akin wrt
"""
# Read off the top 250 topics of the benchmark narrations like the generic words above (and off
# those that rose into the top 250 once these went): what qualifies or links ("rather", "due",
# "regarding", "unnecessary"), "double" of "double-quote", "double-export" and "double-entry",
# whose subject is the other half, and LaTeX's "newcommand".
_QUALIFIER_TEXT = """
    rather longer due able regarding according suppose unnecessary contain eliminate prevent
    separate current old part place course idea approach highest faster double within around
    additional reduce meant useful written write far simplest purpose respect newcommand
"""
# Verbs in "-ing" that say what someone was doing, not what about: "migrating the payroll vault
# to hsm" is about the vault. Only these go: most "-ing" words on the benchmark maps name a
# subject (logging, caching, parsing, formatting, inlining, annealing, rebalancing, billing), so
# no rule drops "-ing". Nor is "migrating" folded into "migration": "-ating" to "-ation" would
# make "rating" a ration and "floating" a floation.
_DOING_TEXT = """
    adding failing finding making bring calling creating returning generating writing passing
    causing comparing completing enclosing showing moving sending fixing containing removing
    asking remaining contributing beginning applying resulting extracting simulating pending
    referring assuming searching importing displaying skipping including ignoring trimming
    watching storing converting corresponding preserving inserting changing ending considering
    representing expressing solving requiring modifying copying counting switching describing
    walking detecting updating invalidating involving demonstrating correcting uploading
    replacing reloading confusing awaiting studying defining acting wondering visiting deleting
    fetching eliminating specifying executing explaining determining accepting accessing
    repairing jumping validating belonging invoking saving forwarding opening upgrading varying
    collecting enabling analyzing thinking observing composing transferring pursuing
    calculating combining simplifying migrating rotating drafting
"""

# Adverbs in "-ly" ("privately", "currently", "correctly") say how or when, never what about;
# these "-ly" words are nouns or names of their own ("nightly" builds, "readonly" files, the
# "lineFoldingOnly" LSP option).
_LY_SUBJECT_TEXT = """
    assembly anomaly family supply reply monopoly butterfly italy nightly readonly
    linefoldingonly
"""
_LY_SUBJECTS = frozenset(_LY_SUBJECT_TEXT.split())
# Past tenses and participles in "-ed" ("drafted", "rotated", "rebalanced") say what was done;
# "-eed" words (speed, feed, seed) are no past tense. These "-ed" words name a subject in a
# field of their own, as the benchmark maps show: Go's embed, untyped constants and unexported,
# unimported, predeclared, generated and deprecated code, the unused analyzer, unified diffs;
# entangled, controlled, trapped-ion and mixed states in quantum computing; embedded,
# distributed and federated systems.
_ED_SUBJECT_TEXT = """
    embed embedded distributed federated generated deprecated unused unimported unexported
    exported untyped predeclared unified entangled controlled trapped mixed testbed infrared
"""
_ED_SUBJECTS = frozenset(_ED_SUBJECT_TEXT.split())


def normalize_topic(word: str) -> str:
    """Lower-case, strip '#', and fold a plural to its singular (not 'ss', not short words, not
    names), so that what is shown is a word: "passes" is kept as "pass", "aliases" as "alias".
    """
    word = word.lower().lstrip("#").strip()
    if word in _NOT_PLURAL or word.endswith(("ss", "us", "is", "os")):
        return word[:MAX_TOPIC_LEN]
    if word in _IRREGULAR:
        word = _IRREGULAR[word]
    elif word.endswith("es") and word[:-2] in _NOT_PLURAL:
        word = word[:-2]
    elif len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 4 and word.endswith(_ES_PLURAL_ENDINGS) and word[:-1] not in _E_SINGULAR:
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s"):
        word = word[:-1]
    return word[:MAX_TOPIC_LEN]


def _folded_before(word: str) -> str:
    """How versions before the "es" plurals folded a word ("passes" → "passe", "gopls" →
    "gopl"): stored topics written then are read as ``normalize_topic`` folds now (``shown``)."""
    word = word.lower().lstrip("#").strip()
    if word in _NOT_PLURAL_BEFORE or word.endswith(("ss", "us", "is", "os")):
        return word[:MAX_TOPIC_LEN]
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s"):
        word = word[:-1]
    return word[:MAX_TOPIC_LEN]


# Every word above, as written and as ``normalize_topic`` stores it ("issues" is kept as "issue"):
# what ``is_topic`` checks a stored topic against.
_NOT_TOPIC_WORDS = (
    STOPWORDS | _WORK_VERBS | _FILLER | _STATUS | _GENERIC | frozenset(_WHEN_WHO_TEXT.split())
)
_NOT_TOPIC_WORDS |= frozenset(_QUALIFIER_TEXT.split()) | frozenset(_DOING_TEXT.split())
_NOT_TOPICS = frozenset({normalize_topic(w) for w in _NOT_TOPIC_WORDS} | _NOT_TOPIC_WORDS)


@lru_cache(maxsize=65536)
def is_topic(topic: str) -> bool:
    """Whether a topic as stored names what the work is about, not how it stands or went.

    Checked when topics are extracted, and again wherever stored topics are read (the topic
    map, profiles, digests, introductions): topics stored before a word joined these lists stop
    showing without rewriting anyone's narrations. Who-knows searches never read topics. A
    number ("#1" of a LaTeX macro, "#12393." of an issue) is no topic, nor is an adverb in "-ly" or
    a past tense in "-ed" (but for the subjects listed above).
    """
    topic = topic.lower()
    if topic in _NOT_TOPICS or not any(ch.isalpha() for ch in topic):
        return False
    if len(topic) > 4 and topic.endswith("ly") and topic not in _LY_SUBJECTS:
        return False
    return not (
        len(topic) > 4
        and topic.endswith("ed")
        and not topic.endswith("eed")
        and topic not in _ED_SUBJECTS
    )


@lru_cache(maxsize=65536)
def shown_topic(stored: str) -> str | None:
    """The topic a stored one is shown as, or ``None`` for a word that is no topic (``is_topic``).

    Read wherever stored topics are (the topic map, profiles, digests, introductions): a topic
    stored by a version that folded "passes" into "passe" is shown as "pass", and counted with
    the "pass" stored since, without rewriting anyone's narrations.
    """
    plural = stored + "s"
    topic = normalize_topic(plural) if _folded_before(plural) == stored.lower() else stored
    return topic if is_topic(topic) else None


def extract_topics(text: str, *, limit: int = MAX_TOPICS) -> list[str]:
    # Markup and links name people, channels and addresses, not what the work is about: "u999"
    # or "https" as a topic would read as noise on the map and in introductions.
    text = without_markup(text)
    tags = [normalize_topic(t) for t in hashtags(text)]
    counts = Counter(
        normalize_topic(w) for w in content_words(text) if len(w) > 2 and not w[0].isdigit()
    )
    # Keyed by the spelling without accents: "café" and "cafe" in one narration are one topic,
    # shown as first written.
    chosen: dict[str, str] = {}
    for tag in tags:
        if tag and is_topic(tag):
            chosen.setdefault(fold_accents(tag), tag)
    # C++, C#, F#: technologies named with a symbol, which content words can't hold. (A capital
    # letter alone, "R" or "C", is asked about but not taken as a topic: in work updates it is
    # as often "option C" as the language.)
    for name in symbol_names(text):
        if len(name) > 1:
            chosen.setdefault(name.lower(), name.lower())
    # Most frequent first; ties keep their first appearance (Counter preserves insertion order).
    for word, _ in counts.most_common():
        if len(chosen) >= limit:
            break
        if word and is_topic(word):
            chosen.setdefault(fold_accents(word), word)
    return list(chosen.values())[:limit]
