"""Query analysis, typo budget and highlighting (no engine needed)."""

from __future__ import annotations

from search_index.base import typo_budget
from search_index.matching import (
    analyze,
    distance,
    highlight,
    province_query,
    synonym_table,
    taxonomy_query,
    term_key,
    typed_groups,
)

TAXONOMY = [
    {
        "code": "semiconductors",
        "label_vi": "Bán dẫn",
        "label_en": "Semiconductors",
        "synonyms": ["semiconductor", "vi mạch", "chip"],
    }
]


def test_typo_budget_grows_with_the_word():
    assert [typo_budget(w) for w in ("dan", "dung", "nguyen", "semiconductor")] == [0, 1, 1, 2]
    assert typo_budget("0612345") == 0


def test_distance_counts_a_swap_as_one_typo():
    assert distance("dnug", "dung") == 1
    assert distance("semiconducter", "semiconductor") == 1
    assert distance("abc", "xyz", limit=2) == 3


def test_a_taxonomy_phrase_becomes_one_group_with_every_equivalent():
    groups = analyze("chuyên gia bán dẫn", synonym_table(TAXONOMY))
    assert [g.words for g in groups] == [("chuyen",), ("gia",), ("ban", "dan")]
    assert ("semiconductors",) in groups[-1].alternatives
    assert ("vi", "mach") in groups[-1].alternatives


def test_the_last_plain_word_is_a_prefix():
    groups = analyze("nguyen va")
    assert groups[-1].prefix and not groups[0].prefix


def test_highlight_marks_accented_words_for_a_folded_query():
    assert str(highlight("Nguyễn Văn Dũng", analyze("nguyen dung"))) == (
        "<mark>Nguyễn</mark> Văn <mark>Dũng</mark>"
    )


def test_highlight_marks_typos_and_escapes_the_rest():
    marked = str(highlight("<b>Nguyễn</b> & co", analyze("nguyne")))
    assert marked == "&lt;b&gt;<mark>Nguyễn</mark>&lt;/b&gt; &amp; co"


def test_highlight_crops_long_text_around_the_match():
    text = "Lorem ipsum " * 40 + "vi mạch bán dẫn" + " dolor sit" * 40
    marked = str(highlight(text, analyze("ban dan", synonym_table(TAXONOMY)), crop=80))
    assert marked.startswith("…") and marked.endswith("…")
    assert "<mark>bán dẫn</mark>" in marked or "<mark>vi mạch</mark>" in marked
    assert len(marked) < 200


def test_nothing_to_highlight_is_none():
    assert highlight("Trần Minh Quân", analyze("zzz")) is None


def test_taxonomy_synonyms_are_highlighted_exactly_never_with_typos():
    groups = analyze("bán dẫn", synonym_table(TAXONOMY))
    assert highlight("Đặng Thùy Chi, Hồ Chí Minh", groups) is None
    assert str(highlight("Thiết kế chip", groups)) == "Thiết kế <mark>chip</mark>"


def test_a_province_name_is_one_phrase_of_the_query():
    groups = analyze("kỹ sư Quảng Nam")
    assert [g.words for g in groups] == [("ky",), ("su",), ("quang", "nam")]
    assert groups[-1].kind == "province" and province_query(analyze("yen bai"))
    assert not province_query(groups)
    # A one-word province name is also a given name ("Huế"): it stays a word.
    assert analyze("Huế")[0].kind == "word"


def test_a_query_that_is_one_taxonomy_term_names_its_field():
    table = synonym_table(TAXONOMY)
    for text in ("chip", "Vi mạch", "bán dẫn", "Semiconductor"):
        groups = typed_groups(analyze(text, table))
        assert taxonomy_query(groups)
        assert term_key(groups[0], table) == "zfsemiconductors"
    assert not taxonomy_query(typed_groups(analyze("nguyen chip", table)))
