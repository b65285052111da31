import pytest

from translate.guard import find_problem, has_repeated_ngram


@pytest.mark.parametrize(
    "text",
    ["the the the the", "of the war of the war of the war of the war", "a b c d a b c d a b c d a b c d"],
)
def test_repetition_loops_are_found(text):
    assert has_repeated_ngram(text)


@pytest.mark.parametrize(
    "text",
    ["Putin arrived in Pyongyang early on Wednesday.", "We need more, more and more help.", ""],
)
def test_normal_sentences_pass(text):
    assert not has_repeated_ngram(text)


def test_runaway_length_is_a_problem():
    assert find_problem("قال", "x" * 200) == "too-long"
    assert find_problem("وصل بوتين إلى بيونغ يانغ", "Putin arrived in Pyongyang") is None


@pytest.mark.parametrize("output", ["ظظظظظظظظظظظظ", "The وسوسوسوسوسوسوسوس talks", "hahahahahahahahaha"])
def test_a_loop_inside_a_word_is_repetition(output):
    assert find_problem("وصل بوتين إلى بيونغ يانغ اليوم", output) == "repetition"


@pytest.mark.parametrize("output", ["It cost 100000000 dollars.", "Mississippi", "Zzz... the meeting ended."])
def test_repeated_digits_and_real_words_are_not_loops(output):
    assert find_problem("وصل بوتين إلى بيونغ يانغ اليوم", output) is None


def test_a_loop_of_letters_that_the_source_has_too_is_faithful():
    assert find_problem("جووووووووول", "Gooooooooal!") is None
    assert find_problem("ههههههههه", "hahahahahahahahaha") is None


def test_an_empty_output_of_a_real_source_is_a_problem():
    assert find_problem("مصر وقطر تقودان جهود وساطة", " ") == "empty"
    assert find_problem("...", "") is None
