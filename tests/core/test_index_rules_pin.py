"""``words.index_text``'s output is pinned to ``old_writes.INDEX_RULES``: a start indexes anew
only the narrations marked with a lower number (migration 0061), so a change to what
``index_text`` writes that doesn't raise it leaves every narration already stored indexed by the
old rules for good. This fails on such a change, saying to raise it."""

from __future__ import annotations

import hashlib
import json

from narrate_bot.knowledge.words import index_text
from narrate_bot.storage.old_writes import INDEX_RULES

TEXTS = (
    "",
    "tuned the kafka consumer, net revenue up",
    "升级kafka集群 修复了锁的问题",
    "デプロイを直した、검색 인덱스 수정",
    "ＫＡＦＫＡの設定 ｶﾌｶ ＡＢＣ１２３",
    "R&D budget with AT & T and T&S",
    "R&Dé café review, Ｒ＆Ｄ",
    "refactored the C++ parser, C# bindings, F# scripts, R and C, and the .NET 8 host",
    "foo.c++ and a .net/http proxy",
    "bookmarked https://example.com/c++/x and <https://docs.example.com/c#|the guide>",
    "typed sym0c0plus0 and amp0r0d0_x",
    "wrote the <https://wiki.example/build|C++ style guide>, pasted <https://x.dev/c#|x.dev/c#>",
)

# The rules' number, and the hash of ``index_text`` over ``TEXTS`` under them. While 0061 is
# unreleased (rule 1 never shipped), the hash may change with rule 1 without a raise: then
# update it here. From the release on, a change raises INDEX_RULES and pins the new hash with it.
PINNED = (1, "917e629450d023d4b964dd4be64dcfe375e71e40859826c98bf8df67fc60fe5d")


def _hash() -> str:
    written = json.dumps([index_text(said) for said in TEXTS], ensure_ascii=False)
    return hashlib.sha256(written.encode()).hexdigest()


def test_index_text_changes_only_with_index_rules():
    rules, digest = PINNED
    got = _hash()
    if rules == INDEX_RULES:
        assert got == digest, (
            "words.index_text writes something else than under INDEX_RULES "
            f"{rules}: raise old_writes.INDEX_RULES by one (the next start indexes every "
            f"narration anew), and pin {got!r} with it in PINNED (see its comment)"
        )
    else:
        assert rules + 1 == INDEX_RULES, "INDEX_RULES is raised by one at a time"
        assert got != digest, "INDEX_RULES raised, but index_text writes the same as before"
        raise AssertionError(f"INDEX_RULES raised to {INDEX_RULES}: pin ({INDEX_RULES}, {got!r})")
