"""A word of one CJK character, and text typed at another width, are found, through the console,
on both engines.

CJK runs were indexed as overlapping pairs only, so "who knows about 锁?" found nobody who wrote
"修复了锁的问题" (a run's last character is in no pair's first place, so even a prefix search
would miss "我们换了锁"); and halfwidth Katakana ("ｶﾀｶﾅ") or fullwidth Latin ("ＫＡＦＫＡ") was
indexed apart from the same word written the usual way. Each character of a run is now indexed
too, and such text is NFKC-folded on both sides (migration 0054).
"""

from __future__ import annotations

import re

from tests.scenarios.test_who_knows_ranking import people


def _why(out: str, person: str) -> str:
    found = re.search(rf"@{person}: (.+)", out)
    assert found, out
    return found.group(1)


async def test_a_one_character_word_is_found_anywhere_in_a_run(chat):
    await chat.say(
        ":channel #infra private erin,zoe",
        "alice: /narrate 修复了锁的问题",  # inside a run
        "bob: /narrate 我们换了锁",  # a run's last character
        "dave: /narrate 数据库 锁 等待超时",  # a run of its own
        "carol: /narrate 门口的钥匙坏了",  # 门 and 的, no 锁
        "frank in dm: /narrate 锁的笔记",  # nobody else may read it
        "erin in #infra: /narrate 分布式锁的设计",
    )
    out = await chat.say("yan: /narrate who knows about 锁?")
    assert sorted(people(out)) == ["alice", "bob", "dave"], out
    assert "修复了锁的问题" in out  # the evidence as written
    assert _why(out, "bob").startswith("narrated about 锁 1 time"), out
    # A member of the private channel reads erin's narration; frank's DM, nobody.
    out = await chat.say("zoe in #infra: /narrate who knows about 锁?")
    assert sorted(people(out)) == ["alice", "bob", "dave", "erin"], out
    assert "@frank" not in out and "笔记" not in out, out
    # The characters are no pairs: "门锁" (door lock) is nobody's, though 门 and 锁 are indexed.
    assert people(await chat.say("yan: /narrate who knows about 门锁?")) == []
    assert people(await chat.say("yan: /narrate who knows about 锁的")) == ["alice"]
    # One character of Japanese and Korean alike.
    await chat.say("yuki: /narrate 鍵の管理を見直した", "minji: /narrate 락 경합 문제 해결")
    assert people(await chat.say("yan: /narrate who knows about 鍵")) == ["yuki"]
    assert people(await chat.say("yan: /narrate who knows about 락")) == ["minji"]


async def test_my_own_narrations_are_searched_by_one_character(chat):
    await chat.say("alice: /narrate 我们换了锁", "alice: /narrate 写了周报")
    out = await chat.say("alice: /narrate mine 锁")
    assert "我们换了锁" in out and "写了周报" not in out, out


async def test_hiding_one_character_covers_questions_with_it_inside_a_run(chat):
    await chat.say("alice: /narrate 修复了锁的问题", "bob: /narrate 我们换了锁")
    out = await chat.say("alice: /narrate hide-me 锁")
    assert "I won't name you when someone asks about 锁" in out, out
    assert people(await chat.say("yan: /narrate who knows about 锁")) == ["bob"]
    # Her pairs match "锁的问题", but the hidden character is inside the asked run.
    assert people(await chat.say("yan: /narrate who knows about 锁的问题")) == []
    # Another word of hers still names her.
    assert people(await chat.say("yan: /narrate who knows about 问题")) == ["alice"]
    # Hiding a longer word doesn't hide the character alone.
    await chat.say("bob: /narrate hide-me 换锁")
    assert people(await chat.say("yan: /narrate who knows about 锁")) == ["bob"]


async def test_a_followed_character_brings_narrations_with_it_inside_a_sentence(chat):
    await chat.say(":tz carol Europe/Berlin")
    out = await chat.say("carol: /narrate follow 锁")
    assert "Following 锁." in out, out
    await chat.say(
        "alice in #general: /narrate 修复了锁的问题",
        "dave in #general: /narrate 更新了登录页面的文案",
    )
    out = await chat.say(":advance 7d")
    digest = out.split("[dm carol] New this week about the topics you follow:", 1)[1]
    assert "修复了锁的问题" in digest and "登录页面" not in digest, out


async def test_halfwidth_and_fullwidth_text_is_one_word_with_the_usual_spelling(chat):
    await chat.say(
        "yuki: /narrate ｶﾀｶﾅ入力のﾊﾞｸﾞを直した",  # halfwidth Katakana, voiced mark apart
        "ken: /narrate カタカナ変換の修正",
        "bob: /narrate 升级ＫＡＦＫＡ集群",  # fullwidth Latin glued to Chinese
        "carol: /narrate ＡＰＩ ｇａｔｅｗａｙ ｔｉｍｅｏｕｔｓ",  # fullwidth Latin alone
        "dan: /narrate kafka consumer lag",
    )
    assert sorted(people(await chat.say("zoe: /narrate who knows about カタカナ"))) == [
        "ken",
        "yuki",
    ]
    assert sorted(people(await chat.say("zoe: /narrate who knows about ｶﾀｶﾅ"))) == ["ken", "yuki"]
    assert people(await chat.say("zoe: /narrate who knows about バグ")) == ["yuki"]
    assert sorted(people(await chat.say("zoe: /narrate who knows about kafka"))) == ["bob", "dan"]
    assert sorted(people(await chat.say("zoe: /narrate who knows about ＫＡＦＫＡ"))) == [
        "bob",
        "dan",
    ]
    assert people(await chat.say("zoe: /narrate who knows about api gateway")) == ["carol"]
