"""Splitting text into the words that carry meaning, the same way for narrations and questions."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

# Common English function words, chat filler, and words every work update uses ("fix", "add").
# Leaving them out keeps "who knows about the fix for kafka?" about kafka, and keeps very common
# words from turning a ranked search into a full scan.
_STOPWORD_TEXT = """
    a about above after again against all also am an and any anyone anybody are aren as at be
    because been before being below between both but by can cannot could did didn do does doesn
    doing don down during each else etc ever every few for from further get gets getting got had
    has hasn have haven having he her here hers herself him himself his how i if in into is isn it
    its itself just know knows knew known like lot lots me more most much must my myself need
    needs no nor not now of off on once one only or other our ours ourselves out over own please
    re really same shall she should so some someone somebody something such than that the their
    theirs them themselves then there these they this those through thing things to today too
    under until up us use used using very via was wasn we were weren what when where which while
    who whom whose why will with won would yes yet you your yours yourself yourselves still
    week weeks day days yesterday tomorrow working worked work works done doing make made new
    fix fixed fixes add added adds update updated updates change changed changes
    moved started finished shipped tried wrote looking trying
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

_WORD = re.compile(r"[#@]?[\w][\w.+\-/]*", re.UNICODE)
_SPLIT = re.compile(r"[^\w]+", re.UNICODE)

# Han, Hiragana, Katakana and Hangul: scripts written without spaces between words (Korean
# spaces phrases, and glues particles to them). Both engines split text on spaces and
# punctuation only, so "今天修复了支付系统的bug" was one token and "支付" found nothing. A run of
# these characters is indexed, and searched, as its overlapping pairs ("支付 付系 系统"), the
# standard way without a dictionary (Lucene's CJKBigramFilter, Elasticsearch's cjk analyzer):
# any word of two characters or more inside the run is a pair, or a phrase of consecutive
# pairs. Only word characters: the Katakana middle dot (U+30FB) separates words.
_CJK_CHARS = (
    "\u1100-\u11ff"  # Hangul Jamo
    "\u3005-\u3007"  # 々 〆 〇
    "\u3041-\u3096\u309d-\u309f"  # Hiragana
    "\u30a1-\u30fa\u30fc-\u30ff"  # Katakana, with the prolonged sound mark ー
    "\u3131-\u318e"  # Hangul compatibility Jamo
    "\u31f0-\u31ff"  # Katakana phonetic extensions
    "\u3400-\u4dbf\u4e00-\u9fff"  # CJK ideographs, extension A
    "\ua960-\ua97f\uac00-\ud7a3\ud7b0-\ud7ff"  # Hangul syllables and Jamo extensions
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\uff66-\uff9f\uffa0-\uffdc"  # halfwidth Katakana and Hangul
    "\U00020000-\U0003134f"  # CJK ideographs, extensions B to G
)
_CJK_RUN = re.compile(f"[{_CJK_CHARS}]+")
_CJK_OR_NOT = re.compile(f"[{_CJK_CHARS}]+|[^{_CJK_CHARS}]+")
# The Halfwidth and Fullwidth Forms block: Latin letters, digits and signs typed wide by CJK input
# methods ("ＡＰＩ"), halfwidth Katakana ("ｶﾀｶﾅ", voiced marks apart) and Hangul. Text with
# them or with CJK is NFKC-folded (``folded``), on both sides: "ｶﾀｶﾅ" and "カタカナ", "ＡＰＩ"
# and "API" are one word. Any other text is never folded, so its tokens don't change.
_WIDTH_FORMS = "\uff01-\uffee"
# For SQL: a GLOB or regular-expression bracket class matching one character that gives a text
# its own ``index_text`` (both engines compare code points, so the ranges read the same there).
INDEXED_CLASS = f"[{_CJK_CHARS}{_WIDTH_FORMS}]"
CJK_CLASS = f"[{_CJK_CHARS}]"  # one CJK character, likewise
WIDTH_CLASS = f"[{_WIDTH_FORMS}]"  # one halfwidth or fullwidth form ("Ｃ", "＋"), likewise
_FOLDS = re.compile(INDEXED_CLASS)


def has_cjk(text: str) -> bool:
    # Most text is ASCII: telling so is much cheaper than the search, and ``words`` asks often.
    return not text.isascii() and _CJK_RUN.search(text) is not None


def folded(text: str) -> str:
    """``text`` NFKC-normalized when it has CJK or width forms (``_WIDTH_FORMS``), else as it
    is. Narrations are indexed (``index_text``) and questions split (``words``) this way."""
    if text.isascii() or _FOLDS.search(text) is None:
        return text
    return unicodedata.normalize("NFKC", text)


def is_cjk(word: str) -> bool:
    """Whether ``word`` (one of ``words``) is a run of Han, Hiragana, Katakana or Hangul."""
    return _CJK_RUN.fullmatch(word) is not None


def cjk_pairs(run: str) -> tuple[str, ...]:
    """A run's overlapping pairs of characters; a run of one character is itself."""
    if len(run) < 2:
        return (run,)
    return tuple(run[i : i + 2] for i in range(len(run) - 1))


def index_text(text: str) -> str | None:
    """What both engines index instead of ``text`` when it holds CJK runs or width forms: the
    text ``folded``, each run written as its pairs, apart from the words around it
    ("升级kafka集群" as "升级 kafka 集群"), then every character of the runs of two or more
    once, so a word of one character ("锁" in "修复了锁的问题") is found too, as CJK analyzers
    that also emit unigrams find it. The characters come after the whole text, so they never
    break a phrase of pairs or of a path's words. ``None`` for any other text: the index reads
    the text itself, exactly as before. (A change to what this writes for any text raises
    ``storage.old_writes.INDEX_RULES`` by one in the same commit, and nothing else: the next
    start indexes anew every narration marked with a lower number. The test
    ``tests/core/test_index_rules_pin.py`` holds this output to that number.)

    A text naming "&" names (``ampersand_names``: "R&D", "AT & T") gets each one's token
    (``ampersand_token``) after the text too, before the characters: PostgreSQL's "english"
    drops "a", "i", "s", "t", "at" and "it" as stop words, so "T&S" or "AT&T" left nothing in
    its index to find.

    Likewise a text spelling a symbol name (``spelled_symbol_names``: "C++", "C#", "F#", the C
    and R languages, ".NET") gets each one's token (``symbol_token``): the index holds only the
    letter ("c", "net"), so a question searching the letter and keeping the narrations that
    spell the name read only the newest few hundred of them, and an older C++ was never found.

    A word shaped like one of those tokens that the narration itself types ("sym0c0plus0",
    "amp0r0d0_x") is left out (``without_typed_tokens``): only a name spelled gets its token, so
    typed ones can't fill a name's window (``search.TERM_WINDOW``) ahead of the narrations
    spelling it."""
    tokens = [
        *map(ampersand_token, ampersand_names(text)),
        *map(symbol_token, spelled_symbol_names(text)),
    ]
    names = " ".join(dict.fromkeys(tokens))
    if text.isascii() or _FOLDS.search(text) is None:
        kept = without_typed_tokens(text)
        if names:
            return f"{kept} {names}"
        return kept if kept != text else None
    text = unicodedata.normalize("NFKC", text)
    runs = _CJK_RUN.findall(text)
    indexed = _CJK_RUN.sub(lambda run: " " + " ".join(cjk_pairs(run.group(0))) + " ", text)
    indexed = without_typed_tokens(indexed)  # CJK runs spaced out: "はsym0c0plus0の" too
    if names:
        indexed = f"{indexed} {names}"
    characters = dict.fromkeys(char for run in runs if len(run) > 1 for char in run)
    return f"{indexed} {' '.join(characters)}" if characters else indexed


def words(text: str) -> list[str]:
    """Lower-cased alphanumeric words, the unit both full-text engines index, of the text
    ``folded``; a CJK run is a word of its own, apart from any letters or digits glued to it
    (``index_text``)."""
    text = folded(text)
    found = [w for w in _SPLIT.split(text.lower()) if w]
    if not has_cjk(text):
        return found
    return [part for word in found for part in _CJK_OR_NOT.findall(word)]


def _is_content(word: str) -> bool:
    # One CJK character is a word (Chinese writes many with one: 锁, 表, 库), indexed alone.
    return word not in STOPWORDS and (len(word) > 1 or is_cjk(word)) and not word.isdigit()


def content_words(text: str) -> list[str]:
    """Words worth matching on: not stopwords, not single letters or digits (a CJK character
    is a word), not pure numbers."""
    return [w for w in words(text) if _is_content(w)]


def index_words(text: str) -> tuple[str, ...]:
    """The words both full-text engines index for ``text``: ``words``, with underscores
    separating words too (FTS5's unicode61 and PostgreSQL's parser both split
    ``third_party`` into "third" and "party"), and each CJK run as its pairs (``index_text``).
    A question's ``folding_range`` kept whole matched nothing, so the search quietly dropped
    it."""
    return tuple(
        part
        for word in words(text)
        for part in (cjk_pairs(word) if is_cjk(word) else word.split("_"))
        if part
    )


def holds_name_token(word: str) -> bool:
    """Whether one of the words the index reads in ``word`` (``index_words``: "sym0c0plus0_x" is
    "sym0c0plus0" and "x", "a/sym0c0plus0" "a" and the token) is shaped like a made-up token
    (``is_name_token``)."""
    return "0" in word and any(map(is_name_token, index_words(word)))


def query_terms(question: str, *, limit: int = 12) -> list[str]:
    """Distinct content words of a question, in order, capped so a pasted essay stays cheap."""
    seen: dict[str, None] = {}
    for word in content_words(question):
        # A made-up token ("&" or symbol name), alone or glued by "_" ("sym0c0plus0_x", not
        # searched at all): nobody means it, and searched as a plain word it found the names'
        # narrations with no name attached, so neither hide-me nor the spelling check applied.
        if holds_name_token(word):
            continue
        seen.setdefault(word, None)
        if len(seen) >= limit:
            break
    return list(seen)


def hashtags(text: str) -> list[str]:
    return [m.group(0)[1:].lower() for m in _WORD.finditer(text) if m.group(0).startswith("#")]


# A path-like field such as "gopls/internal/golang" or "services/payments.api": at least two
# segments joined by "/". Work updates lead with them ("area: what changed"), and an exact path
# says far more about who knows the area than its parts do ("internal" is everywhere).
_PATH = re.compile(r"[\w][\w.\-]*(?:/[\w.\-]+)+", re.UNICODE)
PATH_WEIGHT = 2.0


@dataclass(frozen=True)
class SearchTerm:
    """One thing to look up in the index: a word, or a path matched as a phrase of its words.

    ``weight`` multiplies the term's specificity (IDF); ``path`` keeps the original spelling for
    engines whose parser indexes a path as one token (PostgreSQL's ``file`` tokens). ``area``
    marks a term that names the area the question is about (see ``search_terms``). A pair of a
    CJK run keeps the ``run`` as asked and where in it the pair starts (``at``), so an answer
    names the stretch of the run its pairs cover, never the pairs.
    """

    words: tuple[str, ...]
    weight: float = 1.0
    path: str | None = None
    area: bool = False
    literal: str | None = None
    run: str | None = None
    at: int = 0

    def label(self) -> str:
        """How an answer names the term: as the asker wrote a path or a symbol name."""
        return self.literal or self.path or " ".join(self.words)


# The label a work update or a question leads with, "area: what changed" ("gopls: ...",
# "go/types, go/packages: ..."): one token per label, so "Quick question: ..." is no label, and
# never a URL's scheme ("https://...").
_LABELS = re.compile(r"\s*([\w][\w.\-/]*(?:\s*,\s*[\w][\w.\-/]*)*)\s*:(?!//)", re.UNICODE)


def area_labels(question: str) -> set[tuple[str, ...]]:
    """The words of each label the question leads with; empty when it leads with none."""
    match = _LABELS.match(question.lower())
    if not match:
        return set()
    labels = (label.strip().strip(".-/") for label in match.group(1).split(","))
    return {tuple(words(label)) for label in labels if label}


# Links and platform markup in a question: Slack's ``<https://…|label>``, ``<mailto:…>``, ``<@U1>``,
# ``<#C1|x>``, ``<!here>``; Discord's ``<@1>``, ``<:emoji:1>``, ``<t:1:R>``; and bare links. Their
# parts ("https", "com", "wiki", "u123") say nothing about the topic, yet a link-only match could
# rank first. Narrower than ``clean_text.without_markup``: markup opens with a sigil or a scheme,
# so a literal "<email>" or "diff<->edit" (Discord and commit messages keep "<") stays text.
_LINK_MARKUP = re.compile(r"<[a-z][a-z0-9+.\-]*:[^<>]*>", re.I)
_PLATFORM_MARKUP = re.compile(r"<[@#!:][^<>]*>")
_BARE_LINK = re.compile(r"\b(?:https?|ftp)://\S+", re.I)


# What "<" opens, as the core reads it: a mention, channel or broadcast after a sigil (read up to
# the first ">", "<" or not: ``clean_text``'s mentions, routing's ``<@U1|label>``), or a link
# after a scheme, or Discord's ``<:emoji:1>`` (read up to a ">" with no "<" before it:
# ``_LINK_MARKUP``, ``_PLATFORM_MARKUP``). Adapters ask it of a "<" a person typed, so that
# only a pair the core would take for markup is kept from being read as one.
_MARKUP_SCHEME = re.compile(r":|[a-z][a-z0-9+.\-]*:", re.I)


def markup_opening(after: str) -> str | None:
    """What a "<" followed by ``after`` opens: ``"mention"`` (closed by the first ">"),
    ``"link"`` (closed by the first ">" if no "<" comes before it), or ``None`` (plain text,
    like "<beta>", "vector<int>" or "x <= 5")."""
    if after[:1] in ("@", "#", "!"):
        return "mention"
    return "link" if _MARKUP_SCHEME.match(after) else None


# Every "<…>" pair ``markup_opening`` reads as markup: a sigil's up to the first ">", a scheme's
# (or ":"'s) up to a ">" with no "<" before it. ``clean_text.without_markup`` drops these and no
# other: a typed "<beta>", kept as typed, is a word of the text ("beta" a topic).
MARKUP = re.compile(r"<[@#!][^>]*>|<(?::|[a-z][a-z0-9+.\-]*:)[^<>]*>", re.I)


def without_links(text: str) -> str:
    """Text without links (bare or formatted), each leaving a space; mentions stay."""
    return _BARE_LINK.sub(" ", _LINK_MARKUP.sub(" ", text))


# A Slack link with its label, ``<https://…|C++ style guide>``: the label is the person's words.
_LABELLED_LINK = re.compile(r"<([a-z][a-z0-9+.\-]*:[^<>|]*)\|([^<>]*)>", re.I)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*:(?://)?", re.I)


def _label_of(link: re.Match[str]) -> str:
    url, label = link.group(1), link.group(2)
    # Slack's own copy of an address a person pasted ("<https://x.dev/c++|x.dev/c++>") is the
    # link again, not words.
    return " " if label == _SCHEME.sub("", url) else f" {label} "


def words_outside_links(text: str) -> str:
    """``without_links``, a labelled link (Slack's ``<url|label>``) leaving its label: "wrote
    the <https://wiki.example/build|C++ style guide>" spells C++. A label that only repeats the
    address without its scheme (Slack's auto-link) is dropped with it."""
    return without_links(_LABELLED_LINK.sub(_label_of, text))


def search_terms(question: str, *, limit: int = 12) -> list[SearchTerm]:
    """The question's content words, plus each path in it as a phrase of its words, and each
    identifier joined by underscores (``feature_flags``) as its words and a phrase of them.

    Terms that name the question's area are marked: every path, and the label it leads with.
    Whoever keeps narrating an area is who people go to about it, even in a quiet month, so the
    ranking counts those matches on their own (``ranking.area_prior``). Links and markup are
    never searched (see ``without_links``).
    """
    question = folded(without_links(_PLATFORM_MARKUP.sub(" ", question)))
    dotted = _DOTTED_NAME.findall(question)
    plain = _DOTTED_NAME.sub(" ", question)  # ".NET" is searched as .NET, never as "net" too
    labels = area_labels(question)
    terms: list[SearchTerm] = []
    pairs_left = limit
    for word in query_terms(plain, limit=limit):
        parts = index_words(word)
        if not any(_is_content(part) for part in parts):
            # Underscores only ("__"), or only stopwords and letters ("the_", "a_b"): nothing
            # to search. Searched as "the", SQLite listed everyone who wrote "the" while
            # PostgreSQL's parser dropped it and found nobody.
            continue
        if len(parts) == 1:
            terms.append(SearchTerm(words=parts, area=(word,) in labels))
            continue
        # An identifier (``folding_range``): its words, and the identifier as a phrase of them,
        # as for a path. A CJK run ("支付系统") the same way: its pairs, each a word that may be
        # the one asked about, and the run as a phrase of them, named as typed. A whole
        # sentence asked in one run searches at most ``limit`` pairs, as a question in words
        # searches at most ``limit`` words.
        if is_cjk(word):
            parts_searched = parts[:pairs_left]
            pairs_left -= len(parts_searched)
            terms += [
                SearchTerm(words=(part,), run=word, at=at) for at, part in enumerate(parts_searched)
            ]
        else:
            terms += [SearchTerm(words=(part,)) for part in parts if _is_content(part)]
        terms.append(SearchTerm(words=parts, weight=PATH_WEIGHT, path=word, area=(word,) in labels))
    terms += [
        SearchTerm(words=index_words(path), weight=PATH_WEIGHT, path=path, area=True)
        for path in paths(plain)
        if len(index_words(path)) > 1 and not holds_name_token(path)  # as ``query_terms``
    ]
    distinct: dict[tuple[str, ...], SearchTerm] = {}
    for term in terms:
        distinct.setdefault(term.words, term)  # "folding range folding_range": one "folding"
    terms = list(distinct.values())
    # The word "net" is indexed from ".NET" too: kept only where the narration says "net"
    # itself (``spells``), as hiding "net" is not hiding .NET (``dotted_names``).
    terms = [replace(t, literal=_NET) if t.words == (_NET,) else t for t in terms]
    terms += [
        SearchTerm(words=(symbol_token(name),), literal=name) for name in symbol_names(question)
    ]
    terms += [
        SearchTerm(words=(ampersand_token(name),), literal=name)
        for name in ampersand_names(question)
    ]
    if dotted:
        terms.append(SearchTerm(words=(symbol_token(".NET"),), literal=".NET"))
    return terms


# Technologies named with a symbol or a single capital letter: C++, C#, F#, and the C and R
# languages. Both full-text engines index only their letter ("c"), and single letters are no
# content words, so without this "who knows C++?" searched nothing. They are looked up by their
# letter and kept only where the narration spells the name (``spells``). "C++17" counts as C++;
# "r/w", "plan B/C" and "R&D" are not the languages.
# A capital letter alone, but neither side of an "&" name typed with spaces ("R & D", "AT & T",
# "A & R", "R & R"): "C & C++" or "R & C#" is no name (``_AMPERSAND_NAME``), so its C or R is the
# language.
_ONE_LETTER = (
    r"(?<![\w+#/&.'-])(?<![^\w&][A-Z] & )(?<![^\w&][A-Z]{{2}} & )"
    r"{letter}(?![\w+#/&'-])(?! & [A-Z]{{1,2}}(?![\w&+#]))"
)
_SYMBOL_NAME = re.compile(
    r"(?<![\w+#])([A-Za-z])(?:(\+\+)(?![+#a-zA-Z_])|(#)(?![+#\w]))"
    "|" + _ONE_LETTER.format(letter="([CR])")
)
_SPELLINGS = {
    "++": r"(?<![\w+#]){letter}\+\+(?![+#a-zA-Z_])",
    "#": r"(?<![\w+#]){letter}#(?![+#\w])",
    "": _ONE_LETTER,
}


def _latin(text: str) -> str:
    """``text`` as the index splits it around a name spelled with symbols: ``folded`` ("Ｃ＋＋"
    is C++), each CJK run a space (the index keeps "私はC++の" apart as "私は", "c", "の"),
    padded with a space at each end. Symbol and "&" names are read off this, in questions,
    topics and narrations alike, so "C++" glued to Japanese is C++."""
    text = folded(text)
    return f" {_CJK_RUN.sub(' ', text) if has_cjk(text) else text} "


def symbol_names(text: str) -> list[str]:
    """The symbol-named technologies a question asks about, as written ("C++", "c#")."""
    found: dict[str, str] = {}
    for match in _SYMBOL_NAME.finditer(_latin(text)):
        if match.group(4):
            name = match.group(4)
        else:
            name = match.group(1).upper() + (match.group(2) or match.group(3))
        found.setdefault(name.lower(), name)
    return list(found.values())


# Names of one or two letters on each side of an "&": R&D, P&L, M&A, Q&A, AT&T. Both engines index
# only the letters (PostgreSQL not even those of "T&S" or "AT&T": stop words), and single letters
# and "at" are no content words, so "who knows about R&D?" searched nothing and was refused. Each
# is indexed where a narration spells it, and searched, as one token (``ampersand_token``), and
# kept only where the narration spells it with its "&" (``spells``): either case as one word,
# or capitals with a space on each side ("R & D", "AT & T"; "r & d" and "I & my" are no names).
# "R/D" or "r d" is not R&D, nor "C & C++" or "R&C#" C&C or R&C. (The R of "R&D" or "R & D" is
# still no R language: ``_ONE_LETTER``.)
_AMPERSAND_NAME = re.compile(
    r"(?<![\w&])(?:([A-Za-z]{1,2})&([A-Za-z]{1,2})|([A-Z]{1,2}) & ([A-Z]{1,2}))(?![\w&+#])"
)


def ampersand_names(text: str) -> list[str]:
    """The "R&D"-like names in ``text``, without spaces ("R & D" is "R&D"), as first written,
    each once whatever its case."""
    found: dict[str, str] = {}
    if "&" not in text and "\uff06" not in text:  # most text; "＆" is folded to "&"
        return []
    for match in _AMPERSAND_NAME.finditer(_latin(text)):
        first, second = (match.group(1), match.group(2)) if match.group(1) else match.group(3, 4)
        found.setdefault(f"{first}&{second}".lower(), f"{first}&{second}")
    return list(found.values())


def ampersand_token(name: str) -> str:
    """The one word both engines index for an "&" name wherever a narration spells it
    (``index_text``), and a question about it searches: "amp0r0d0" for R&D. PostgreSQL keeps
    a word of letters and digits whole and as it is, and SQLite's porter stemmer leaves one
    ending with a digit whole ("amp0t0s" and "amp0t0e" were both "amp0t0"); nobody writes it,
    and a question typing it searches nothing (``query_terms``)."""
    first, second = name.lower().split("&")
    return f"amp0{first}0{second}0"


# A word shaped like a token, this version's or that of the version before ("amp0r0d"): typed
# in a question or ``/narrate mine``, it is not searched, or it would find the "&" names.
# And a symbol name's token (``symbol_token``: "sym0c0plus0"), with or without its last digit.
_TOKEN_SHAPED = re.compile(
    r"amp0[a-z]{1,2}0[a-z]{1,2}0?|sym0(?:[a-z]0(?:plus|sharp|alone)|net0dot)0?", re.I
)


def ampersand_spelling(name: str) -> str:
    """The regular expression of the ways a narration spells an "&" name (``ampersand_names``)."""
    first, second = (re.escape(part) for part in name.split("&"))
    together = rf"(?i:{first}&{second})"
    return rf"(?<![\w&])(?:{together}|{first.upper()} & {second.upper()})(?![\w&])"


# .NET, named with a leading dot: both engines index it as "net" (and PostgreSQL "ASP.NET" or
# "example.net" as one host token), so it is looked up as "net" and kept only where the narration
# spells ".NET" standing alone: "net revenue" and "example.net" are not it. Only this name: a
# dotted file name (".env") is no technology.
_DOTTED_NAME = re.compile(r"(?<![\w.])\.net(?!\w)(?!\.\w)", re.I)


_NET = "net"
# Any ".net" ending a word, after a name too ("ASP.NET", "example.net"): SQLite indexes "asp.net"
# as "asp" and "net", PostgreSQL as one host token; a question about the word "net" counts
# neither, on both engines alike.
_ANY_DOTTED_NET = re.compile(r"\.net(?!\w)", re.I)
# A word starting "net" ("net", "nets", "netting": what the index may have stemmed to it).
_NET_WORD = re.compile(r"(?<![^\W_])net", re.I)


def dotted_names(text: str) -> tuple[list[str], str]:
    """The dotted names in ``text`` (".net", lower-cased: ".NET" is the only one) and the text
    without them. Topics (``topic_match.stems``) read them as the search does: ".NET" is .NET,
    never the word "net" too, so hiding one is never hiding the other."""
    found = [".net"] if _DOTTED_NAME.search(text) else []
    return found, _DOTTED_NAME.sub(" ", text) if found else text


def spells(term: SearchTerm, text: str) -> bool:
    """Whether a narration matched by ``term``'s letter really names it: "C++" needs the
    pluses, "R" a capital R standing alone, ".NET" its dot. Terms without a symbol name always
    do."""
    if term.literal is None:
        return True
    if term.literal == ".NET":
        return _DOTTED_NAME.search(words_outside_links(text)) is not None
    if term.literal == _NET:  # the word, not .NET ("net revenue", "net/http")
        return _NET_WORD.search(_ANY_DOTTED_NET.sub(" ", folded(text))) is not None
    if _AMPERSAND_NAME.fullmatch(term.literal):
        return re.search(ampersand_spelling(term.literal), _latin(text)) is not None
    # A symbol name is read outside links, as a question's is (``search_terms``): the "c++" of
    # "https://example.com/c++/x" names no C++. A file name ("foo.c++") still does, and so does
    # a link's label ("<https://…|C++ style guide>": ``words_outside_links``).
    text = _latin(words_outside_links(text))
    letter, symbol = term.literal[0], term.literal[1:]
    if symbol:
        pattern = _SPELLINGS[symbol].format(letter=re.escape(letter))
        return re.search(pattern, text, flags=re.IGNORECASE) is not None
    return re.search(_SPELLINGS[""].format(letter=re.escape(letter)), text) is not None


# Symbol names (``symbol_names``, ".NET") as one token each wherever a narration spells them
# (``index_text``), so a question searches the token, not the letter (which every "plan C" and
# "vitamin c" holds): a C++ narration is found however many newer ones hold a "c". Like the "&"
# names' token, it ends with a digit, which SQLite's porter stemmer leaves whole and PostgreSQL's
# "english" keeps as it is.
_SYMBOL_KINDS = {"++": "plus", "#": "sharp", "": "alone"}
# Letters beyond ASCII that Python's case-insensitive match takes for an ASCII one ("\u212a",
# the Kelvin sign, for "k"): ``spells`` reads "\u212a++" as K++, so it gets K++'s token too.
_ODD_LETTERS = {"\u0130": "I", "\u0131": "I", "\u212a": "K", "\u017f": "S"}
_ODD_SYMBOL = re.compile(f"(?<![\\w+#])([{''.join(_ODD_LETTERS)}])(\\+\\+|#)")


def is_name_token(word: str) -> bool:
    """Whether ``word`` is a made-up token of an "&" or symbol name (``ampersand_token``,
    ``symbol_token``), or shaped like one."""
    return _TOKEN_SHAPED.fullmatch(word) is not None


# A token-shaped word (``_TOKEN_SHAPED``) as both engines split it out of a text: no letter or
# digit on either side ("_" and punctuation separate words in the index).
_TYPED_TOKEN = re.compile(rf"(?<![^\W_])(?:{_TOKEN_SHAPED.pattern})(?![^\W_])", re.I)


def without_typed_tokens(text: str) -> str:
    """``text`` with each word shaped like a made-up token a space (``index_text``)."""
    if "0" not in text:  # most text
        return text
    return _TYPED_TOKEN.sub(" ", text)


def symbol_token(name: str) -> str:
    """The one word both engines index for a symbol name a narration spells, and a question
    about it searches: "sym0c0plus0" for C++, "sym0f0sharp0" for F#, "sym0r0alone0" for R,
    "sym0net0dot0" for .NET. A question typing it searches nothing (``query_terms``)."""
    if name.lower() == ".net":
        return "sym0net0dot0"
    return f"sym0{name[0].lower()}0{_SYMBOL_KINDS[name[1:]]}0"


def spelled_symbol_names(text: str) -> list[str]:
    """The symbol names ``text`` spells, as ``spells`` reads a narration ("C++", "F#", "C",
    ".NET"), each once: the ones ``index_text`` writes a token for. Links spell none, their
    labels do (``words_outside_links``)."""
    text = words_outside_links(text)
    candidates = [*symbol_names(text)]
    if not text.isascii():
        latin = _latin(text)
        candidates += [_ODD_LETTERS[m.group(1)] + m.group(2) for m in _ODD_SYMBOL.finditer(latin)]
    if "." in text:
        candidates.append(".NET")
    names = dict.fromkeys(name.upper() for name in candidates)
    return [name for name in names if spells(SearchTerm(words=(), literal=name), text)]


# For SQL, the ASCII spellings of a symbol name (``spelled_symbol_names``), and the characters
# beyond ASCII it may be spelled with (full-width "Ｃ＋＋", the Kelvin sign): a text matching none
# spells none. SQLite: GLOB patterns of the text padded with a space at each end, any one of
# them; PostgreSQL: one regular expression. Python decides for a text that matches.
_SYMBOL_PATTERNS = (  # before, the name (GLOB, regular expression), after
    ("[^A-Za-z0-9_+#]", "[A-Za-z]++", r"[A-Za-z]\+\+", "[^+#A-Za-z_]"),
    ("[^A-Za-z0-9_+#]", "[A-Za-z]#", "[A-Za-z]#", "[^+#A-Za-z0-9_]"),
    ("[^A-Za-z0-9_+#/&.'-]", "[CR]", "[CR]", "[^A-Za-z0-9_+#/&'-]"),
    ("[^A-Za-z0-9_.]", ".[nN][eE][tT]", r"\.[nN][eE][tT]", "[^A-Za-z0-9_]"),
)
_SYMBOL_WIDE = (
    "[\uff0b\uff03\uff23\uff32]",  # "＋", "＃", "Ｃ", "Ｒ"
    f"[\uff21-\uff3a\uff41-\uff5a{''.join(_ODD_LETTERS)}][+#]",  # "Ｃ++", "\u212a++"
)
SYMBOL_GLOBS = (
    *(f"*{before}{name}{after}*" for before, name, _, after in _SYMBOL_PATTERNS),
    *(f"*{wide}*" for wide in _SYMBOL_WIDE),
)
SYMBOL_REGEX = "|".join(
    [
        *(f"(^|{before}){name}($|{after})" for before, _, name, after in _SYMBOL_PATTERNS),
        *_SYMBOL_WIDE,
    ]
)
# A ``search_text`` holding a symbol name's token (``symbol_token``, written after a space):
# every one this version writes for a text spelling one.
SYMBOL_TOKEN_GLOB = "* sym0*"
SYMBOL_TOKEN_TEXT = " sym0"


def paths(text: str) -> list[str]:
    """The distinct paths in a text, lower-cased, each with two words or more."""
    found: dict[tuple[str, ...], str] = {}
    for match in _PATH.finditer(text.lower()):
        path = match.group(0).strip(".-/")
        parts = tuple(words(path))
        if len(parts) > 1:
            found.setdefault(parts, path)
    return list(found.values())
