"""Topics of a narration: a handful of normalized words that say what it is about.

Deliberately simple and explainable (people see their topics): hashtags first, then the content
words that occur most, with a crude singular form so "migrations" and "migration" meet.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from .clean_text import without_markup
from .spellings import KNOWN_PHRASES, spelling_key
from .words import (
    STOPWORDS,
    content_words,
    has_cjk,
    is_cjk,
    paths,
    symbol_names,
    words,
)

MAX_TOPICS = 8
MAX_TOPIC_LEN = 64
# Chinese, Japanese and Korean prose gives no topics: without a dictionary nothing tells a word
# ("支付") from two characters that merely meet ("付系") or from filler ("今天"), and a run
# between punctuation is a clause, which earlier versions stored and mapped as one "topic"
# ("今天修复了支付系统的bug"). Letters glued to such text are words ("升级kafka集群": kafka),
# and a hashtag ("#支付") is the person's own word: kept when it is one short run, as a word
# in these scripts is (a topic followed or asked about, too). Longer ones, stored before, are
# no longer shown.
MAX_CJK_TOPIC_CHARS = 6

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
    gas bus virus bonus census focus radius consensus
"""
_NOT_PLURAL_BEFORE = frozenset(_NOT_PLURAL_TEXT.split())
_NOT_PLURAL = _NOT_PLURAL_BEFORE | frozenset(_NOT_PLURAL_ADDED_TEXT.split())

# Plurals whose singular isn't the word less its "s" (or "es"): "matrice" or "indice" on the map
# would read as a typo of the person's own word.
_IRREGULAR_TEXT = """
    matrices:matrix indices:index vertices:vertex appendices:appendix parentheses:parenthesis
    analyses:analysis hypotheses:hypothesis theses:thesis crises:crisis axes:axis
    quizzes:quiz
"""
_IRREGULAR = dict(pair.split(":") for pair in _IRREGULAR_TEXT.split())
# How the version before bus, gas and quiz had their "es" plurals stored them ("buses" as "buse",
# "quizzes" as "quizz"), and the words they are: a stored topic is shown as the word
# (``shown_topic``), and a topic typed then is keyed anew at start (``storage.old_writes``).
STORED_BEFORE_PLURALS = {"buse": "bus", "gase": "gas", "quizz": "quiz"}

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
# "regarding", "unnecessary"), "double" (written alone; "double-entry" is one topic,
# ``_compound``), and LaTeX's "newcommand".
_QUALIFIER_TEXT = """
    rather longer due able regarding according suppose unnecessary contain eliminate prevent
    separate current old part place course idea approach highest faster double within around
    additional reduce meant useful written write far simplest purpose respect newcommand
"""
# Verbs in "-ing" that say what someone was doing, not what about: "migrating the payroll vault
# to hsm" is about the vault. Only these go, and only of topics guessed from free text
# (``is_topic_in_text``): "#thinking" or "/narrate follow watching" is someone's subject, taken
# as written. Most "-ing" words on the benchmark maps name a subject (logging, caching, parsing,
# formatting, inlining, annealing, rebalancing, billing), so no rule drops "-ing". Nor is
# "migrating" folded into "migration": "-ating" to "-ation" would make "rating" a ration and
# "floating" a floation.
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
# Not more of them: a second list read off the benchmark maps ("producing", "supporting",
# "allowing", the pointing "surrounding", ...) cleaned the maps but cost the connections eval
# (golang-tools lift 3.21x -> 2.95x, below issue #5's 3x; the weekly matching reshuffles in
# steps). Cut down to the words the review named, or to the verbs of saying and wanting, it
# still cost (3.01x), so they stay topics until the matching no longer leans on them.

# Past tenses and participles that don't end in "-ed" ("held", "built", "seen", "ran", "began",
# "brought"): what was done, as the "-ed" rule below says of the regular ones. The "-ed" rule
# can't see them, so the review found them on the map ("built", "seen", "sent", "chosen").
# Those that are as often a subject stay topics: bound (upper bounds, bound variables), ground
# (ground states), shot (measurement shots), split, cut, put, hit, read, set (see above), lit.
_IRREGULAR_PAST_TEXT = """
    held withheld upheld built rebuilt seen ran rerun reran began begun brought bought caught
    taught fought sought wrought chose chosen proven forgot forgotten sent heard understood
    misunderstood became become overcame undertook undertaken mistook shook taken wrote
    rewritten overwrote overwritten drew drawn grew grown threw thrown flew blew knew
    withdrew fell fallen stood withstood lost led paid laid sold spoke spoken stole stolen
    woke woken broke drove driven rode ridden arose arisen gave forgave ate eaten saw sank
    sang rang swam drank shrank sprang struck stung swung hung clung flung dug spun slid hid
    froze meant dealt slept swept crept wept leapt dreamt burnt spelt met sped
"""
# General verbs any narration may use, whatever it is about ("the fix depends on how we
# assume the cache is warm", "this requires a restart"): like the generic words above, read
# off the benchmark maps. Not "support" (a support team, the support rotation), "build",
# "call", "test", "load", "compute", "copy", "extract" (gopls' refactoring), "send" and
# "receive" (Go's channel operations) or "matter" (condensed matter): some team's subject.
_GENERAL_VERB_TEXT = """
    depend depends dependent assume assumes assumption require requires seem happen happens
    occur occurs suggest suggests expect expects consider considers describe describes
    determine identify produce produces accept accepts treat treats omit adjust mimic
    reproduce preserve propagate recognize recognise realize realise conclude deduce notice
    refer correspond impose convey seek wish differ appear deal choose solve define measure
    simulate prove disprove invoke expose introduce involve involves obtain achieve lead
    leads mention decide prefer believe expand synthesize survive originate
    distinguish recreate minimize automate diagnose consolidate substitute associate warn
    inspect ensure imply implies tend tends manage wonder hope care turn pick stop follow drop
    small smaller smallest harder easier smarter subtle significant substantial sensible
    relevant insufficient incorrect usual consistent identical superfluous trivial
    particular extra bogus misleading careful curious stupid excellent handy aware
    informative explanatory greater less long short valid robust true false sense multi
    however explain explains rely useless
"""

# What is said about the work, not what it is about: "one caveat: the cache drawback is the
# cold start" is about the cache. Like the generic words, read off the benchmark maps ("fix
# a couple of mistakes", "minor doc tweaks", "a layman's explanation", "see the issue for
# details", "the reason unusedparams wasn't showing up", "the pros/cons of trapped ion
# qubits": Lisp's cons cells are rarer in work updates). Only guessed from free text
# (``is_topic_in_text``): a hashtag, a followed topic or a stored one is taken as written.
# Not "advantage" (quantum advantage), "note" (release notes), "fact" (the analysis
# framework's facts), "hint" (inlay hints), "suggestion" (completion suggestions), "proposal"
# (Go's proposals), "typo" (what a change fixes, and the misspell checks), "solution",
# "workaround", "tradeoff", "benefit" (an HR team's benefits), "confusion" (confusion
# matrices), "concern" (separation of concerns, Rails' concerns), "limitation" (the statute
# of limitations), "opinion" (a court's opinions, opinion mining) or "remark" (the Markdown
# processor): each some team's subject.
_TALK_TEXT = """
    caveat caveats drawback drawbacks downside downsides upside upsides disadvantage
    disadvantages pros cons pitfall pitfalls gotcha gotchas nit nits nitpick nitpicks
    attempt attempts reason reasons detail details explanation explanations clarification
    clarifications mistake mistakes tweak tweaks couple nuance nuances hassle
"""
# How things stay, said in passing: "the cache should stay warm" is about the cache. Only of
# free text, like the talk above: a team's "#warm" (warm standby, warm starts) is taken as
# written.
_IN_PASSING_TEXT = """
    stay stays stayed staying warm
"""

# Words that stay topics, but are never shown as what someone knows about: on the topic map, in
# a profile's "Narrates about" or in an introduction's reason ("you both narrated about latest
# and wrong"). Read off the benchmark maps, profiles and weekly reasons (golang-tools,
# se-quantumcomputing-2018) and work updates, as the words that name no subject in either:
# how something is or went ("wrong", "redundant", "efficient", "fundamental"), what is done to
# anything ("modify", "detect", "suppress"), the nouns of pointing ("side", "hand") and what a
# team is doing ("reviewing", "waiting"). They stay topics because matching leans on them: a
# who-knows question may use them, and the weekly pairing weighs them (dropping such words from
# the topics cost the connections eval, as the ``_DOING_TEXT`` note says). Words that are some
# team's subject stay shown: support, source, value, version, data, information (quantum
# information), content, people (a people team), usage, setting, level, order, sort, form, edge,
# item, main, open, zero, history, research; and actual (finance's actuals), significance
# (statistics), permit (building permits), article and section (legal and editorial teams), team
# (Microsoft Teams is "teams", which is kept as "team").
_NOT_SHOWN_TEXT = """
    reviewing answering waiting reading side hand exercise world
    complete detect fail modify suppress advance
    latest behavior behaviour handling wrong duplicate redundant helper fast near
    alternative equivalent practical initial efficient technical introductory
    fundamental absolute equal basic intuition
"""
_NOT_SHOWN = frozenset(_NOT_SHOWN_TEXT.split())

# A topic most of the workspace narrates about is what everyone there shares ("quantum" on a
# quantum computing team), not who knows what: the map lists it apart, and an introduction's
# reason doesn't cite it ("you both narrated about quantum" is true of every pair there). Most
# is more than half of the people narrating, once there are enough of them for a share to mean
# something: among a handful (six people narrating about kafka), everyone narrating about
# kafka is who knows kafka.
COMMON_MIN_PEOPLE = 10


def common_to_most(people: int, *, of: int) -> bool:
    """Whether a topic ``people`` of the ``of`` people narrating narrate about is common to most
    of them (``COMMON_MIN_PEOPLE``)."""
    return of >= COMMON_MIN_PEOPLE and people * 2 > of


# Verbs of doing whose "-ion" names the work itself: "migrating the payroll database" is about
# the migration, as "the payroll migration" is, and is counted with it on the map. A curated
# list, not a rule ("rating" is no ration, "floating" no floation, "passing" no passion): each
# "-ion" here names a practice or a field people ask about.
_ING_TO_ION_TEXT = """
    migrating:migration validating:validation simulating:simulation generating:generation
    converting:conversion invalidating:invalidation optimizing:optimization
    optimising:optimisation compiling:compilation integrating:integration
    authenticating:authentication serializing:serialization normalizing:normalization
    installing:installation configuring:configuration encrypting:encryption
    decrypting:decryption replicating:replication translating:translation
    allocating:allocation instrumenting:instrumentation orchestrating:orchestration
    deduplicating:deduplication compressing:compression rotating:rotation
    estimating:estimation
"""
_ING_TO_ION = dict(pair.split(":") for pair in _ING_TO_ION_TEXT.split())
# Their past tenses, where what was done names the same work: "migrated the billing database"
# is about the migration, as "migrating the billing database" is, and "the invalidated
# packages" about invalidation. Not those said of a thing more than of the work: "compiled"
# (a compiled file, "pre-compiled"), "installed" and "configured" (the installed files, the
# configured variables), "converted" (converted to a DAG), "simulated" (simulated annealing is
# about annealing), "generated" (Go's generated code, ``_ED_SUBJECTS``), "integrated"
# (integrated circuits), "normalized" (a normalized state) or "estimated" (an estimated cost).
_ED_TO_ION_TEXT = """
    migrated:migration validated:validation invalidated:invalidation optimized:optimization
    optimised:optimisation authenticated:authentication serialized:serialization
    encrypted:encryption decrypted:decryption replicated:replication translated:translation
    allocated:allocation instrumented:instrumentation orchestrated:orchestration
    deduplicated:deduplication compressed:compression rotated:rotation
"""
_ED_TO_ION = dict(pair.split(":") for pair in _ED_TO_ION_TEXT.split())

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


def folded_before(word: str) -> str:
    """How versions before the "es" plurals folded ``word`` (``_folded_before``): the keys of
    the topics people hid, asked about or followed then (``topic_match.KEYED_BEFORE_PLURALS``)."""
    return _folded_before(word)


# The words the "es" plurals fold anew as themselves or as their singular ("gopls", not
# "gopl"; "matrices" as "matrix"): a key stored before holds what ``folded_before`` made of
# them. Besides these, only an "es" plural of five letters ("boxes", "ashes") is keyed anew.
FOLDED_ANEW = frozenset(_NOT_PLURAL_ADDED_TEXT.split()) | frozenset(_IRREGULAR)


# Every word above, as written and as ``normalize_topic`` stores it ("issues" is kept as "issue"):
# what ``is_topic`` checks a stored topic against.
_NOT_TOPIC_WORDS = (
    STOPWORDS | _WORK_VERBS | _FILLER | _STATUS | _GENERIC | frozenset(_WHEN_WHO_TEXT.split())
)
_NOT_TOPIC_WORDS |= frozenset(_QUALIFIER_TEXT.split())
_NOT_TOPIC_WORDS |= frozenset(_IRREGULAR_PAST_TEXT.split()) | frozenset(_GENERAL_VERB_TEXT.split())
_NOT_TOPICS = frozenset({normalize_topic(w) for w in _NOT_TOPIC_WORDS} | _NOT_TOPIC_WORDS)
# The talk about the work, the verbs of doing and what is said in passing, as written and as
# stored: left out only of topics guessed from text.
_GUESSED_ONLY_TEXT = _TALK_TEXT.split() + _DOING_TEXT.split() + _IN_PASSING_TEXT.split()
_TALK = frozenset({normalize_topic(w) for w in _GUESSED_ONLY_TEXT} | frozenset(_GUESSED_ONLY_TEXT))
# The same words as a topic may be stored: what read-time filters keep only where the narration
# wrote them as a hashtag (``storage.topic_filter``).
GUESSED_ONLY_STORED = _TALK - _NOT_TOPICS


# Status words as stored ("blockers" as "blocker"): ``says_how_work_stands``.
_STATUS_STORED = frozenset(normalize_topic(w) for w in _STATUS)
# Words in "-ed" that name a subject, for whoever reads "-ed" as done (``routing``).
ED_SUBJECTS = _ED_SUBJECTS


def says_how_work_stands(word: str) -> bool:
    """Whether a word only says how work stands ("unblocked", "blockers", "wip"), the status
    words topics leave out."""
    return normalize_topic(word) in _STATUS_STORED


@lru_cache(maxsize=65536)
def is_topic(topic: str) -> bool:
    """Whether a topic as stored names what the work is about, not how it stands or went.

    Checked when topics are extracted, and again wherever stored topics are read (the topic
    map, profiles, digests, introductions): topics stored before a word joined these lists stop
    showing without rewriting anyone's narrations. Talk about the work ("caveat") and the verbs
    of doing ("thinking") are no topics only when guessed from free text
    (``is_topic_in_text``): here a hashtag, a followed topic or a stored one may be someone's
    subject (a stored one is kept only where its narration wrote it as a hashtag:
    ``GUESSED_ONLY_STORED``). Who-knows searches never read topics. A number ("#1" of a LaTeX
    macro, "#12393." of an issue) is no topic, nor is an adverb in "-ly" or a past tense in
    "-ed" (but for the subjects listed above).
    """
    topic = topic.lower()
    if topic in _NOT_TOPICS or not any(ch.isalpha() for ch in topic):
        return False
    if has_cjk(topic):
        return is_cjk(topic) and len(topic) <= MAX_CJK_TOPIC_CHARS
    if len(topic) > 4 and topic.endswith("ly") and topic not in _LY_SUBJECTS:
        return False
    return not (
        len(topic) > 4
        and topic.endswith("ed")
        and not topic.endswith("eed")
        and topic not in _ED_SUBJECTS
    )


@lru_cache(maxsize=65536)
def shows_a_subject(topic: str) -> bool:
    """Whether a topic as shown (``shown_topic``) is shown as what someone knows about: not one of
    the words that stay topics only for matching (``_NOT_SHOWN_TEXT``), in any of its forms
    ("behaviors" is "behavior")."""
    topic = topic.lower()
    return topic not in _NOT_SHOWN and normalize_topic(topic) not in _NOT_SHOWN


def is_topic_in_text(word: str) -> bool:
    """Whether a word of free text (a narration, a who-knows question), as stored, is taken as a
    topic: ``is_topic``, and not talk about the work ("one caveat: the cache" is about the
    cache), a verb of doing ("thinking about the cache") or what is said in passing ("stay
    warm"). Never said of what someone named on purpose: "#caveats" and "#thinking" are their
    topics, and so is a followed "watching"."""
    return is_topic(word) and word.lower() not in _TALK


@lru_cache(maxsize=65536)
def shown_topic(stored: str) -> str | None:
    """The topic a stored one is shown as, or ``None`` for a word that is no topic (``is_topic``).

    Read wherever stored topics are (the topic map, profiles, digests, introductions): a topic
    stored by a version that folded "passes" into "passe" is shown as "pass", and one stored as
    "migrating" as "migration" (``_ING_TO_ION``), and a hashtag stored as "speed-up" as
    "speedup" (``_ONE_WORD_SPELLINGS``), each counted with the topic stored since, without
    rewriting anyone's narrations.
    """
    if (word := STORED_BEFORE_PLURALS.get(stored.lower())) is not None:
        stored = word
    plural = stored + "s"
    topic = normalize_topic(plural) if _folded_before(plural) == stored.lower() else stored
    topic = _one_word_topic(_ING_TO_ION.get(topic, topic))
    return topic if is_topic(topic) else None


def extract_topics(text: str, *, limit: int = MAX_TOPICS) -> list[str]:
    # Markup and links name people, channels and addresses, not what the work is about: "u999"
    # or "https" as a topic would read as noise on the map and in introductions.
    written = text
    text = without_markup(text)
    tags = [_one_word_topic(normalize_topic(t)) for t in _hashtags(text)]
    code = _written_as_code(text)
    counts = Counter(
        _stored_form(w, code)
        for w in _topic_words(text)
        if len(w) > 2 and not w[0].isdigit() and not is_cjk(w)
    )
    # Keyed by the spelling without accents, a listed phrase closed (``spellings.spelling_key``):
    # "café" and "cafe", or "filesystem" and "file system", in one narration are one topic,
    # shown as first written, and counted once on the map, a profile and an introduction.
    chosen: dict[str, str] = {}
    for tag in tags:
        if tag in GUESSED_ONLY_STORED and not written_as_hashtag(written, tag):
            continue
        if tag and is_topic(tag):
            chosen.setdefault(spelling_key(tag), tag)
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
        if word and is_topic_in_text(word):
            chosen.setdefault(spelling_key(word), word)
    return list(chosen.values())[:limit]


# A hashtag: a "#" glued to a word or to a link's part starts none ("ops#tweak", "C#tweak",
# "…/guide/#caveats", "[list](#caveats)", "?tab=#x"), as the read-time filter has it
# (``storage.topic_filter``).
_LINK_PARTS = "/()?=&~."
_HASHTAG = re.compile(rf"(?<![\w{re.escape(_LINK_PARTS)}])#(\w[\w.+\-/]*)")
# What ``storage.topic_filter`` reads as a talk word written as a hashtag, the same way: case
# folded for ASCII only, any character beyond ASCII a word character, a plural "s" allowed.
_ASCII_WORD = "a-z0-9_\x80-\U0010ffff"
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _hashtags(text: str) -> list[str]:
    """The hashtags of ``text``, lower-cased, without the sentence's punctuation after them
    ("#caveats." is "caveats", as the filter reads it; before, "caveats." was stored)."""
    tags = (match.group(1).lower().rstrip(".-/") for match in _HASHTAG.finditer(text))
    return [tag for tag in tags if tag]


def written_as_hashtag(text: str, word: str) -> bool:
    """Whether ``text`` writes ``word`` (a talk word: ASCII letters) as a whole hashtag, as the
    read-time filter tells it (``storage.topic_filter``): a talk word is stored from a hashtag
    only where that filter reads it back."""
    before = _ASCII_WORD + re.escape(_LINK_PARTS)
    pattern = rf"(?:^|[^{before}])#{re.escape(word)}s?(?:$|[^{_ASCII_WORD}])"
    return re.search(pattern, text.translate(_ASCII_LOWER)) is not None


# A run of word characters, hyphens joining them: "double-entry", "end-to-end", "kafka".
_HYPHENATED = re.compile(r"\w+(?:-\w+)*")


def _topic_words(text: str) -> list[str]:
    """The content words of ``text`` (``words.content_words``), but a hyphenated word that says
    more than its parts (``_compound``) is one word: "double-entry bookkeeping" is about
    double-entry, not "entry". An idiom ("state of the art", hyphenated or not) and a phrase
    written as one word (``_PHRASE_OPENERS``: "out-of-the-box", "on-the-fly") give no word of
    theirs, nor do TeX commands ("\\frac", "\\neq") and ids (``_names_nothing``)."""
    found: list[str] = []
    lowered = _IDIOM_PHRASES.sub(" ", text.lower())
    paths = [m.span() for m in _WINDOWS_PATH.finditer(lowered) if not _formula(m.group(0))]
    matches = list(_HYPHENATED.finditer(lowered))
    headed = -1  # the index of a word taken into the phrase before it ("case management")
    for index, match in enumerate(matches):
        token, start = match.group(0), match.start()
        if index == headed or _tex_command(lowered, start, paths) or _names_nothing(token):
            continue
        if _EMPHASIS.fullmatch(token):  # "_why_" is "why"; "__init__" stays itself
            token = token[1:-1]
        if (phrase := _headed_phrase(lowered, matches, index)) is not None:
            found.append(phrase)
            headed = index + 1
            continue
        if "-" not in token:
            found.extend(content_words(token))
            continue
        if token in _WHOLE_PHRASES:
            found.append(token)
            continue
        if (joined := _one_word(token)) is not None:
            found.append(joined)
            continue
        parts = token.split("-")
        articled = any(part in _ARTICLES for part in parts)
        if articled or parts[0] in _PHRASE_OPENERS:  # a phrase: whole or nothing
            if not articled and (whole := _compound(token)) is not None:
                found.append(whole)
        elif (whole := _compound(token)) is not None:
            found.append(whole)
        else:
            found.extend(content_words(token.replace("-", " ")))
    return found


# Words that say nothing alone but name a kind of thing before a subject, unhyphenated: "case
# management" is about case management, not management, and "file system" not about "system".
# Kept as one topic with the word after them only for the subjects listed for them
# (``spellings.KNOWN_PHRASES``), written after one space, and where the word before them doesn't
# point back ("in this case management wins" is about management). Never with a name: "in case
# kafka is down" is about kafka, "the file emacs wrote" about emacs.
_POINTING_BACK = frozenset({"this", "that", "which", "such", "each", "every", "any", "either"})


def _headed_phrase(text: str, matches: list[re.Match[str]], index: int) -> str | None:
    """The phrase of the word at ``index`` and the one after it (``KNOWN_PHRASES``), as stored
    ("case studies" → "case study"), or ``None``."""
    head = matches[index]
    tails = KNOWN_PHRASES.get(head.group(0))
    if tails is None or index + 1 >= len(matches):
        return None
    after = matches[index + 1]
    if text[head.end() : after.start()] != " " or "-" in after.group(0):
        return None
    if index > 0 and matches[index - 1].group(0) in _POINTING_BACK:
        return None
    subject = normalize_topic(after.group(0))
    if subject not in tails:
        return None
    return f"{head.group(0)} {subject}"


# Say how current or how often, never what about: "up-to-date" is no date. And the figures of
# speech that say how sure, how far or how it went: "is quantum computing just pie in the sky?"
# is about quantum computing, not pie; "in other words" is no word, "from scratch" no scratch,
# "on the other hand" no hand. Not "in theory": "advances in theory and experiment" are.
_HYPHENATED_IDIOMS_TEXT = """
    up-to-date out-of-date day-to-day state-of-the-art state-of-art follow-up follow-ups
    out-of-the-box on-the-fly
    pie-in-the-sky in-other-words on-the-other-hand in-the-meantime in-a-nutshell in-a-sense
    in-practice in-principle in-the-wild rule-of-thumb rules-of-thumb from-scratch by-hand
    trial-and-error at-the-end-of-the-day low-hanging-fruit rabbit-hole rabbit-holes
    silver-bullet under-the-hood on-the-same-page back-to-the-drawing-board moving-target
    tip-of-the-iceberg chicken-and-egg in-the-long-run
"""
_HYPHENATED_IDIOMS = frozenset(_HYPHENATED_IDIOMS_TEXT.split())
# The idioms as written, with hyphens or spaces ("the state of the art in quantum memory" is no
# art), longest first so "follow-ups" isn't read as "follow-up" and an "s".
_IDIOM_PHRASES = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(
        r"[\s-]+".join(re.escape(part) for part in idiom.split("-"))
        for idiom in sorted(_HYPHENATED_IDIOMS, key=len, reverse=True)
    )
    + r")(?![\w-])"
)
# Subjects that are one word, written with a hyphen too: "a polynomial speed-up" and "the
# speedup" are one topic on the map, as are "clean-up" and "cleanup", "built-in" and Go's
# "builtin". Their parts say nothing alone ("speed" and "up", "clean"), and a plural
# ("speed-ups") is counted with the singular.
_ONE_WORD_SPELLING_TEXT = """
    speed-up slow-down set-up clean-up look-up back-up roll-out roll-back time-out plug-in
    built-in call-back fall-back work-around shut-down start-up break-down work-flow
"""
_ONE_WORD_SPELLINGS = frozenset(_ONE_WORD_SPELLING_TEXT.split())
# Subjects that are phrases, kept whole: "peer-to-peer networking" is not about a "peer", and
# "human-in-the-loop review" not about nothing (a hyphenated word holding an article is a
# phrase: whole or nothing). Only as written with hyphens: "arrived just in time" is no JIT.
_WHOLE_PHRASE_TEXT = """
    peer-to-peer point-to-point human-in-the-loop hardware-in-the-loop software-in-the-loop
    man-in-the-middle copy-on-write just-in-time ahead-of-time proof-of-work proof-of-stake
"""
_WHOLE_PHRASES = frozenset(_WHOLE_PHRASE_TEXT.split())


def _one_word(token: str) -> str | None:
    """A hyphenated subject as it is written in one word ("speed-ups" → "speedups"), or
    ``None``."""
    single = token[:-1] if token.endswith("s") else token
    if single not in _ONE_WORD_SPELLINGS:
        return None
    return token.replace("-", "")


def _one_word_topic(topic: str) -> str:
    """A topic as stored, written in one word if it is one of those subjects: a hashtag
    "#speed-up", or a topic stored so, counts with "speedup"."""
    return topic.replace("-", "") if topic in _ONE_WORD_SPELLINGS else topic


# A hyphenated word that opens with one of these, or holds an article, is a phrase made one
# word ("out-of-the-box", "on-the-fly", "at-least-once", "top-of-the-line", "run-of-the-mill"):
# it says how, not what about, and its last word ("box", "fly") is no subject. It is kept whole
# when it names something, as "in-memory", "on-disk" and "out-of-bounds" do (``_compound``),
# unless it holds an article; never split into its words. Subjects joined by a preposition
# ("range-over-func", "slice-to-array", "silicon-on-insulator") keep their words as topics.
_PHRASE_OPENER_TEXT = """
    a an the of to in on at by for from with into onto out off up down over under as
"""
_PHRASE_OPENERS = frozenset(_PHRASE_OPENER_TEXT.split())
_ARTICLES = frozenset({"a", "an", "the"})

# What a narration writes that names nothing: a variable with a subscript ("u_1", "t_i": TeX's
# \psi_1 and \rho_A are commands, left out with the rest of them) and a commit hash
# ("b9a3ad9", "x/vuln@b9a3ad9"): hex with letters and digits interleaved, unlike "ed25519".
_SUBSCRIPTED = re.compile(r"(?:[a-z]_[a-z0-9])+")
_HEX = re.compile(r"[0-9a-f]{7,40}")
_HEX_RUNS = re.compile(r"[a-f]+|[0-9]+")


# A word between single underscores, emphasised: "_why_", not "__slots__" nor "_".
_EMPHASIS = re.compile(r"_[^_](?:.*[^_])?_")

# A Windows path, from its drive or server to the next space ("c:\tools\gopls",
# "\\fileserver\builds"): its backslashes separate folders, unlike TeX's ("\rangle\otimes").
# Not one with TeX's braces, "&" or "^" in it, nor one right after "$": "f:\{0,1\}\to",
# a matrix's "\\1&0\end{pmatrix}" and "$f:\mathbb r" are formulas.
_WINDOWS_PATH = re.compile(r"(?<![\w\\$])(?:[a-z]:\\|\\\\(?=\w))[^\s{}&^]*(?!\S)")


# TeX's commands that open a formula where a path has its first folder: "a unitary
# U:\mathcal H", "the channel E:\rho\mapsto U\rho". No folder is named so; left out are
# the names a folder may well have ("bar", "text", "sim", "pi").
_TEX_FIRST_TEXT = """
    mathcal mathbb mathrm mathbf mathfrak mathscr mathsf mathit mathtt boldsymbol bm
    operatorname textrm textbf textit
    alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu
    xi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega
    to mapsto rightarrow leftarrow longrightarrow longmapsto leftrightarrow hookrightarrow
    implies iff in notin subset subseteq supset supseteq cong equiv approx simeq neq leq geq
    otimes oplus bigotimes bigoplus times cdot circ dagger sum prod int frac dfrac tfrac sqrt
    left langle rangle lvert rvert vert ket bra braket hat tilde vec overline ldots cdots
    infty partial nabla forall exists emptyset varnothing
"""
_TEX_FIRST = frozenset(_TEX_FIRST_TEXT.split())


def _formula(path: str) -> bool:
    """Whether what reads as a Windows path is TeX: its first folder is one of TeX's
    commands ("u:\\mathcal", "e:\\rho\\mapsto"), never a folder's name
    ("c:\\users\\x\\repo", "c:\\inetpub")."""
    folders = path.lstrip("\\").split("\\")
    if folders[0].endswith(":"):  # the drive
        folders = folders[1:]
    first = _LETTERS.match(folders[0]) if folders else None
    return first is not None and first.group(0) in _TEX_FIRST


_LETTERS = re.compile(r"[a-z]+")


def _tex_command(text: str, start: int, paths: list[tuple[int, int]]) -> bool:
    """Whether the word at ``start`` follows a backslash outside a Windows path: a TeX
    command ("\\neq", "\\psi_1")."""
    if text[start - 1 : start] != "\\":
        return False
    return not any(begin < start < end for begin, end in paths)


def _names_nothing(token: str) -> bool:
    if _SUBSCRIPTED.fullmatch(token):
        return True
    return _HEX.fullmatch(token) is not None and len(_HEX_RUNS.findall(token)) >= 4


# First parts that count or scope what follows: "two-qubit gates", "multi-module workspaces",
# "n-bit", "per-package" and "go-review" (Gerrit's host, "go-diff", "go-mode") are about qubits,
# modules, bits and packages, each counted with the plain word.
_COMPOUND_PREFIX_TEXT = """
    n multi single two three four five half per go sub
"""
_COMPOUND_PREFIXES = frozenset(_COMPOUND_PREFIX_TEXT.split())


@lru_cache(maxsize=65536)
def _compound(token: str) -> str | None:
    """A hyphenated word kept whole, as stored, or ``None`` when its parts are the topics.

    Whole when the first part names nothing on its own and the last part does: "double-entry",
    "in-memory", "on-disk", "non-nil", "no-cloning", "post-quantum". When the first part is
    a topic itself ("quantum-gate", "type-checking", "kafka-streams": tags and prose write them
    either way), the parts stay the topics, so one subject isn't split on the map by how it
    was spelled. Never a word of more than three parts, nor one a part of which opens with a
    digit ("utf-8", "2-qubit"). Only ever of free text, so its parts are checked as words of
    it (``is_topic_in_text``): talk about the work ("nitpick", "attempt") names nothing on
    its own there, and "nitpick-bot" or "attempt-counter" is kept whole.
    """
    parts = token.split("-")
    if len(parts) > 3 or not all(part[:1].isalpha() for part in parts):
        return None
    first, last = parts[0], normalize_topic(parts[-1])
    if first in _COMPOUND_PREFIXES or (len(first) > 1 and is_topic_in_text(first)):
        return None
    whole = "-".join([*parts[:-1], last])  # "non-physics" isn't many a "non-physic"
    if len(last) < 3 or not is_topic_in_text(last) or not is_topic_in_text(whole):
        return None
    return whole


# Code in a narration: "`fillReturns`", "internal/lsp/analysis/fillreturns", "node_modules",
# "ParseFiles". Its names are shown as written: "fillreturns" (an analyzer) isn't many a
# "fillreturn".
_BACKTICKED = re.compile(r"`([^`\n]+)`")
_CAMEL_OR_SNAKE = re.compile(r"\b(?:[a-z]+[A-Z]\w*|[A-Z][a-z0-9]+[A-Z]\w*|\w+_\w+)\b")


def _written_as_code(text: str) -> frozenset[str]:
    """The words ``text`` writes as code (lower-cased): path segments, backticked words,
    camelCase and snake_case names."""
    code = {word for path in paths(text) for word in words(path)}
    code.update(word for quoted in _BACKTICKED.findall(text) for word in words(quoted))
    code.update(name.lower() for name in _CAMEL_OR_SNAKE.findall(text))
    return frozenset(code)


def _stored_form(word: str, code: frozenset[str]) -> str:
    """How a content word is stored as a topic: a name written as code as it is, a verb of
    doing folded into its field ("migrating", "migrated" → "migration"), else its singular."""
    # A hyphenated word comes folded (``_compound``), a phrase too (``_headed_phrase``).
    if word in code or "-" in word or " " in word:
        return word[:MAX_TOPIC_LEN]
    return _ING_TO_ION.get(word) or _ED_TO_ION.get(word) or normalize_topic(word)
