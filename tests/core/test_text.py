"""The shared text helpers: one list of yes/no words for every input."""

import pytest
from werkzeug.datastructures import MultiDict

from directory.text import NO_WORDS, YES_WORDS, clean_text, parse_bool, split_multi, yes_no

YES = ["yes", "Yes", "TRUE", "1", "on", "y", "x", "có", "Có", "CÓ", "co", "đồng ý", "Đồng Ý"]
NO = ["no", "No", "FALSE", "0", "off", "n", "không", "Không", "KHONG", "none"]


@pytest.mark.parametrize("word", YES)
def test_yes_words_in_english_or_vietnamese_with_or_without_accents_mean_true(word):
    assert yes_no(word) is True
    assert parse_bool(word) is True


@pytest.mark.parametrize("word", NO)
def test_no_words_in_english_or_vietnamese_with_or_without_accents_mean_false(word):
    assert yes_no(word) is False
    assert parse_bool(word) is False


def test_an_empty_cell_means_no_and_an_unknown_word_is_refused():
    assert parse_bool("") is False
    assert parse_bool(None) is False
    assert yes_no("maybe") is None
    with pytest.raises(ValueError):
        parse_bool("maybe")


@pytest.mark.parametrize("word", sorted((YES_WORDS | NO_WORDS) - {""}) + YES + NO)
def test_search_filters_accept_every_yes_no_word_an_import_accepts(app, word):
    from directory.people.normalise import parse_bool as import_parse_bool
    from directory.search.services import parse_search_args

    with app.test_request_context():
        params = parse_search_args(MultiDict({"verified": word}))
    expected = "true" if import_parse_bool(word) else "false"
    assert params.filters["verified"] == [expected]


def test_cleaning_keeps_vietnamese_and_collapses_white_space():
    decomposed = "Nguye\u0302\u0303n  Va\u0306n\n"
    assert clean_text(decomposed) == "Nguyễn Văn"
    assert split_multi("Hà Nội; ;Huế;Hà Nội") == ["Hà Nội", "Huế"]
