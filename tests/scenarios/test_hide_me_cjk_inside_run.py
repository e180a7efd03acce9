"""Hide-me covers a hidden CJK word inside a longer run whatever its script (Japanese with
voiced kana, Korean Hangul) and whatever its length (past MAX_CJK_TOPIC_CHARS, up to 64)."""

from __future__ import annotations

from tests.scenarios.test_who_knows_ranking import people


async def test_hiding_a_japanese_word_with_dakuten_covers_a_longer_run(chat):
    await chat.say("yuki: /narrate データベースの移行を完了しました")
    assert people(await chat.say("zoe: /narrate who knows about データベース移行")) == ["yuki"]
    out = await chat.say("yuki: /narrate hide-me データ")
    assert "I won't name you" in out, out
    assert people(await chat.say("zoe: /narrate who knows about データ")) == []
    # Hidden "データ" is inside the asked run: she must not be named.
    assert people(await chat.say("zoe: /narrate who knows about データベース移行")) == []


async def test_hiding_a_korean_word_covers_a_longer_run(chat):
    await chat.say("minji: /narrate 결제시스템을 고쳤습니다")
    out = await chat.say("minji: /narrate hide-me 결제")
    assert "I won't name you" in out, out
    assert people(await chat.say("zoe: /narrate who knows about 결제")) == []
    assert people(await chat.say("zoe: /narrate who knows about 결제시스템")) == []


async def test_hiding_a_long_chinese_topic_covers_a_longer_run(chat):
    await chat.say("alice: /narrate 今天完成了支付系统重构项目的上线")
    out = await chat.say("alice: /narrate hide-me 支付系统重构项目")
    assert "I won't name you" in out, out
    assert people(await chat.say("zoe: /narrate who knows about 支付系统重构项目")) == []
    assert people(await chat.say("zoe: /narrate who knows about 新支付系统重构项目")) == []
