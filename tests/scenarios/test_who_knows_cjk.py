"""Teams narrating in Chinese, Japanese or Korean are found, through the console, on both engines.

Those scripts put no spaces between words, and both full-text engines split on spaces and
punctuation only, so "今天修复了支付系统的bug" was indexed as one token: "who knows about 支付?"
found nobody, "kafka" glued to Chinese text ("升级kafka集群") wasn't found either, and the whole
sentence was confirmed and mapped as one "topic". Runs of Han, Hiragana, Katakana and Hangul are
now indexed, and searched, as overlapping character pairs (as Lucene's CJKBigramFilter does);
answers and evidence still show the words as written.
"""

from __future__ import annotations

import re

from tests.scenarios.test_topics_name_subjects import stored_as_before
from tests.scenarios.test_who_knows_ranking import people


def _why(out: str, person: str) -> str:
    found = re.search(rf"@{person}: (.+)", out)
    assert found, out
    return found.group(1)


async def test_a_word_inside_a_chinese_sentence_finds_its_narrator(chat):
    await chat.say(
        "alice: /narrate 今天修复了支付系统的bug",
        "bob: /narrate 更新了登录页面的文案",
        "carol: /narrate 系统监控的告警阈值调整",
    )
    out = await chat.say("zoe: /narrate who knows about 支付?")
    assert people(out) == ["alice"], out
    assert "今天修复了支付系统的bug" in out  # the evidence as written
    assert "narrated about 支付 1 time" in _why(out, "alice")

    # A longer word is searched as its pairs and as the whole word, and named as typed.
    out = await chat.say("zoe: /narrate who knows about 支付系统?")
    assert people(out)[0] == "alice", out
    assert _why(out, "alice").startswith("narrated about 支付系统 1 time,"), out
    assert _why(out, "carol").startswith("narrated about 系统 1 time,"), out  # "系统监控"
    assert "付系" not in out.replace("支付系统", ""), out  # never a pair that is no word

    # A whole sentence asked: its pairs are searched, and named as the stretches they cover.
    out = await chat.say("zoe: /narrate who knows about 我们的支付系统为什么今天又挂了")
    assert people(out) == ["alice", "carol"], out
    assert _why(out, "alice").startswith("narrated about 支付系统 and 今天 1 time,"), out
    assert _why(out, "carol").startswith("narrated about 系统 1 time,"), out


async def test_japanese_and_korean_words_are_found_inside_sentences(chat):
    await chat.say(
        "yuki: /narrate データベースの移行を完了しました",
        "ken: /narrate ログイン画面のデザインを変更",
        "minji: /narrate 결제시스템을 고쳤습니다",
        "jun: /narrate 로그인 화면 디자인 변경",
    )
    assert people(await chat.say("zoe: /narrate who knows about データベース")) == ["yuki"]
    assert people(await chat.say("zoe: /narrate who knows about 移行")) == ["yuki"]
    assert people(await chat.say("zoe: /narrate who knows about 결제")) == ["minji"]
    assert people(await chat.say("zoe: /narrate who knows about 시스템")) == ["minji"]
    # Nobody narrated a payment screen: pairs that aren't consecutive in any narration.
    assert people(await chat.say("zoe: /narrate who knows about 移完")) == []


async def test_latin_words_glued_to_cjk_text_are_words(chat):
    await chat.say("bob: /narrate 升级kafka集群", "carol: /narrate redis的内存优化")
    assert people(await chat.say("zoe: /narrate who knows about kafka")) == ["bob"]
    assert people(await chat.say("zoe: /narrate who knows about redis")) == ["carol"]


async def test_an_edited_cjk_narration_is_found_by_its_new_words_only(chat):
    await chat.say("alice: /narrate 修复了支付系统")
    await chat.say("alice: /narrate edit 1 重构了搜索索引")
    assert people(await chat.say("zoe: /narrate who knows about 支付")) == []
    assert people(await chat.say("zoe: /narrate who knows about 搜索索引")) == ["alice"]


async def test_my_own_narrations_are_searched_by_a_cjk_word(chat):
    await chat.say("alice: /narrate 今天修复了支付系统的bug", "alice: /narrate 写了周报")
    out = await chat.say("alice: /narrate mine 支付系统")
    assert "今天修复了支付系统的bug" in out and "写了周报" not in out, out
    out = await chat.say("alice: /narrate mine 系统支付")  # the same characters, another word
    assert "None of your narrations" in out, out


async def test_a_cjk_sentence_is_never_a_topic(chat, db):
    out = await chat.say("alice: /narrate 今天修复了支付系统的bug")
    assert "Topics" not in out.splitlines()[0], out  # "bug" says how work stands
    out = await chat.say("bob: /narrate 升级kafka集群, kafka延迟也降下来了")
    assert "Topics: kafka." in out, out
    # A topic an earlier version stored from the whole sentence is no longer shown.
    await stored_as_before(db, containing="支付系统", added=("今天修复了支付系统的bug",))
    out = await chat.say("carol: /narrate topics")
    assert "kafka: 1 narration" in out, out
    assert not re.search(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7a3]", out), out


async def test_a_cjk_hashtag_is_the_persons_own_topic(chat):
    out = await chat.say("dan: /narrate #支付 接口超时的问题查清楚了")
    assert "Topics: 支付." in out, out
    out = await chat.say("carol: /narrate topics")
    assert "支付: 1 narration · @dan (1)" in out and "接口" not in out, out


async def test_hiding_a_cjk_word_covers_questions_with_it_inside_a_longer_run(chat):
    await chat.say("alice: /narrate 今天修复了支付系统的bug", "bob: /narrate 支付接口的超时问题")
    assert set(people(await chat.say("zoe: /narrate who knows about 支付系统"))) == {
        "alice",
        "bob",
    }
    out = await chat.say("alice: /narrate hide-me 支付")
    assert "I won't name you when someone asks about 支付" in out, out
    assert people(await chat.say("zoe: /narrate who knows about 支付")) == ["bob"]
    assert people(await chat.say("zoe: /narrate who knows about 支付系统")) == ["bob"]
    # Another word of hers still names her.
    assert people(await chat.say("zoe: /narrate who knows about 系统")) == ["alice"]


async def test_a_followed_cjk_word_brings_narrations_with_it_inside_a_sentence(chat):
    await chat.say(":tz carol Europe/Berlin")
    out = await chat.say("carol: /narrate follow 支付")
    assert "Following 支付." in out, out
    await chat.say(
        "alice in #general: /narrate 今天修复了支付系统的bug",
        "dave in #general: /narrate 更新了登录页面的文案",
    )
    out = await chat.say(":advance 7d")
    digest = out.split("[dm carol] New this week about the topics you follow:", 1)[1]
    assert "今天修复了支付系统的bug" in digest and "登录页面" not in digest, out
