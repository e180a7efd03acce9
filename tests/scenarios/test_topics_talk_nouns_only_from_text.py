"""Words said about the work ("caveat", "mistake") are left out only of topics guessed from a
narration's free text.

ad2c16b's list of them also filtered what people name on purpose and what was stored: an HR
team's "#benefits" lost its topic, ``/narrate follow benefits`` was refused as saying "how work
is going", "confusion matrix" lost "confusion", and stored "benefit" topics left the map. Now
"benefit", "confusion", "concern", "limitation", "opinion" and "remark" are off the list, and a
hashtag, a followed topic or a stored topic is taken as written even when it is on it.
"""

from __future__ import annotations

from narrate_bot.knowledge.topics import extract_topics, shown_topic


async def test_an_hr_team_can_follow_benefits(chat):
    said = await chat.say("carol: /narrate follow benefits")
    assert "Nothing was changed" not in said, said
    assert "how work is going" not in said, said


async def test_a_benefits_hashtag_is_a_topic(chat):
    said = await chat.say("alice in #general: /narrate Open enrollment for #benefits starts Monday")
    assert "benefit" in said.lower().split("topics:")[-1], said


async def test_a_hashtag_or_follow_on_the_talk_list_is_kept(chat):
    said = await chat.say("alice in #general: /narrate wrote up the #gotchas of the kafka client")
    assert "gotcha" in said.lower().split("topics:")[-1], said
    said = await chat.say("carol: /narrate follow gotchas")
    assert "Nothing was changed" not in said, said
    assert "how work is going" not in said, said


def test_subjects_stay_and_talk_in_free_text_goes() -> None:
    assert extract_topics("tuned the classifier's confusion matrix") == [
        "classifier",
        "confusion",
        "matrix",
    ]
    assert extract_topics("one gotcha and a couple of mistakes in the kafka client") == [
        "kafka",
        "client",
    ]
    assert "concern" in extract_topics("separation of concerns in the billing service")


def test_stored_topics_are_shown_as_written() -> None:
    for word in ("benefit", "confusion", "mistake", "caveat"):
        assert shown_topic(word) == word, word


def test_a_hyphenated_word_around_talk_is_read_as_before() -> None:
    # Talk names nothing on its own in free text, so a word it opens is kept whole, and one it
    # ends is no subject: as before talk was left out only of free text (ac912ee).
    assert extract_topics("nitpick-bot is flaky again") == ["nitpick-bot", "flaky"]
    assert extract_topics("fixed the attempt-counter reset") == ["attempt-counter", "reset"]
    assert extract_topics("a re-attempt of the upload") == ["upload"]
