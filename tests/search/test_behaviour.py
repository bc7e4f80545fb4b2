"""Search behaviour, specified once and run on BOTH engines (SQLite FTS5 and Meilisearch)."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from directory.extensions import db
from directory.search.services import parse_search_args, run_search
from tests.factories import PersonFactory
from tests.search.data import build_directory


@pytest.fixture(params=["sqlite", "meilisearch"])
def backend_name(request):
    return request.param


@pytest.fixture
def d(app, sync):
    data = build_directory()
    sync()
    return data


def search(user=None, *pairs, **args):
    """Search as ``user`` with query-string style arguments (pairs for repeated ones)."""
    multi = MultiDict(list(pairs) + list(args.items()))
    return run_search(parse_search_args(multi), user)


def ids(result) -> list[str]:
    return [h["id"] for h in result.hits]


def names(result) -> set[str]:
    return {h.get("full_name") or h.get("name") for h in result.hits}


# --- accents, đ, typos -------------------------------------------------------------------------


def test_query_without_accents_finds_the_accented_name(d):
    assert ids(search(q="nguyen van dung"))[0] == d.dung.id


def test_accented_query_finds_the_same_person(d):
    assert ids(search(q="Nguyễn Văn Dũng"))[0] == d.dung.id


def test_d_with_stroke_folds_to_d_both_ways(d):
    assert d.lan.id in ids(search(q="dang"))
    assert d.lan.id in ids(search(q="Đặng"))
    assert d.lan.id in ids(search(q="ĐẶNG THỊ LAN"))


def test_a_misspelt_field_still_finds_the_expert(d):
    assert d.dung.id in ids(search(q="semiconducter"))


def test_a_misspelt_long_word_ranks_the_right_person_first(d):
    # A swap of two letters is one typo; one typo is allowed from five letters.
    assert ids(search(q="Ngyuen Van Dung"))[0] == d.dung.id


def test_a_misspelt_short_name_still_finds_the_person_first(d):
    # "Dnug" is a swap of two letters in a four-letter syllable: one typo.
    assert ids(search(q="Nguyen Van Dnug"))[0] == d.dung.id


def test_an_exact_name_ranks_above_names_one_letter_away(d, sync):
    duong = PersonFactory(full_name="Nguyễn Văn Dương", country="FR", consent_listed=True)
    hung = PersonFactory(full_name="Nguyễn Văn Hùng", country="FR", consent_listed=True)
    dang = PersonFactory(full_name="Nguyễn Văn Dang", country="FR", consent_listed=True)
    db.session.commit()
    sync()
    found = ids(search(q="nguyen van dung"))
    # The exact name comes first; names one letter away may follow, never before it.
    assert found[0] == d.dung.id
    assert set(found[1:]) <= {duong.id, hung.id, dang.id}


def test_the_last_word_matches_as_a_prefix(d):
    assert d.quan.id in ids(search(q="tran min"))


# --- bilingual taxonomy ------------------------------------------------------------------------


def test_vietnamese_field_name_finds_a_profile_tagged_in_english(d):
    found = ids(search(q="bán dẫn"))
    assert d.dung.id in found


def test_a_field_phrase_does_not_match_its_words_apart_nor_synonyms_with_typos(d, sync):
    # "Trưởng ban" + "Đặng" hold "ban" and a word starting with "dan"; the synonym "chip"
    # is one letter from "Chi". Neither makes her a semiconductor expert.
    chi = PersonFactory(
        full_name="Đặng Thùy Chi",
        fields=[],
        country="VN",
        city="Hồ Chí Minh",
        title="Trưởng ban tổ chức",
        bio="Tổ chức sự kiện.",
        consent_listed=True,
        visibility_profile="public",
    )
    db.session.commit()
    sync()
    result = search(q="bán dẫn")
    assert chi.id not in ids(result)
    assert {d.dung.id, d.nam.id} <= set(ids(result))
    for hit in result.hits:
        assert "<mark>Chi" not in " ".join(hit.get("highlights", {}).values())


def test_english_field_name_finds_a_profile_written_in_vietnamese(d):
    # Nam is not tagged; his bio says "bán dẫn" (Vietnamese for semiconductor).
    found = ids(search(q="semiconductor"))
    assert d.nam.id in found
    assert d.dung.id in found


def test_a_synonym_finds_the_field(d):
    assert d.quan.id in ids(search(q="machine learning"))


# --- hometowns, other names --------------------------------------------------------------------


def test_a_legacy_province_name_finds_who_gave_it(d):
    found = ids(search(q="Yên Bái"))
    assert d.lan.id in found
    assert d.quan.id not in found  # Lào Cai, but he did not write Yên Bái


def test_a_province_filter_by_legacy_name_selects_the_merged_province(d):
    found = set(ids(search(province="Yên Bái")))
    assert found == {d.lan.id, d.quan.id}
    assert set(ids(search(province="lao-cai"))) == {d.lan.id, d.quan.id}


def test_the_current_province_name_finds_those_who_gave_a_legacy_name(d):
    assert {d.lan.id, d.quan.id} <= set(ids(search(q="lao cai")))


def test_another_name_finds_the_person(d):
    assert ids(search(q="Schmidt")) == [d.lan.id]


def test_associations_are_searchable_and_have_their_own_kind(d):
    result = search(q="dong huong da nang")
    assert d.association.id in ids(result)
    hit = next(h for h in result.hits if h["id"] == d.association.id)
    assert hit["type"] == "association"
    assert ids(search(kind="association")) == [d.association.id]


# --- facets, filters, pagination, sorting --------------------------------------------------------


def test_facet_counts_cover_what_the_public_may_see(d):
    result = search()
    # Hà has not consented to be listed: the public never counts her.
    assert result.total == 5
    assert result.facets["country"] == {"FR": 3, "DE": 1, "US": 1}
    assert result.facets["kind"] == {"expert": 3, "entrepreneur": 2, "association": 1}
    assert result.facets["province"] == {"da-nang": 2, "lao-cai": 2, "hue": 1}
    assert result.facets["field"] == {
        "semiconductors": 1,
        "renewable-energy": 1,
        "artificial-intelligence": 1,
    }
    assert result.facets["language"]["vi"] == 4
    assert result.facets["verified"] == {"true": 1, "false": 4}


def test_filters_combine_across_facets_and_repeat_within_one(d):
    both = search(None, ("country", "FR"), ("country", "DE"))
    assert set(ids(both)) == {d.dung.id, d.lan.id, d.nam.id, d.association.id}
    experts_in_france = search(None, ("country", "FR"), ("kind", "expert"))
    assert set(ids(experts_in_france)) == {d.dung.id, d.nam.id}
    assert set(ids(search(None, ("country", "Pháp"), ("verified", "true")))) == {d.dung.id}


def test_a_filtered_facet_still_counts_its_other_values(d):
    result = search(None, ("country", "FR"), ("kind", "expert"))
    # Other countries show what adding them would bring; other facets follow the filters.
    assert result.facets["country"] == {"FR": 2, "US": 1}
    assert result.facets["province"] == {"da-nang": 1, "hue": 1}
    assert result.total == sum(result.facets["province"].values())


def test_pages_split_the_results_without_overlap(d):
    first = search(per_page="2", page="1", sort="name")
    second = search(per_page="2", page="2", sort="name")
    third = search(per_page="2", page="3", sort="name")
    assert first.total == second.total == 5
    assert len(first.hits) == len(second.hits) == 2 and len(third.hits) == 1
    assert not set(ids(first)) & set(ids(second))


def test_sort_by_name_ignores_accents(d):
    result = search(sort="name", kind="expert")
    assert [h["full_name"] for h in result.hits] == [
        "Nguyễn Văn Dũng",
        "Trần Minh Quân",
        "Võ Hoàng Nam",
    ]


def test_sort_by_last_update_puts_the_newest_first(d):
    result = search(sort="updated")
    assert ids(result)[:2] == [d.association.id, d.nam.id]


# --- highlights ------------------------------------------------------------------------------


def test_matches_are_highlighted_in_the_original_text(d):
    hit = search(q="dung").hits[0]
    assert hit["highlights"]["full_name"] == "Nguyễn Văn <mark>Dũng</mark>"


def test_highlights_escape_everything_but_the_marks(d):
    hit = search(q="solar").hits[0]
    snippet = hit["highlights"]["bio"]
    assert "<mark>solar</mark>" in snippet
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet


# --- visibility per tier ----------------------------------------------------------------------


def test_the_public_never_finds_members_who_did_not_consent(d):
    assert d.ha.id not in ids(search(q="Lê Thu Hà"))
    assert d.ha.id not in ids(search(q="semiconductors"))


def test_officials_find_members_who_did_not_consent(d):
    assert d.ha.id in ids(search(d.users.province, q="Lê Thu Hà"))
    result = search(d.users.embassy)
    assert result.total == 6
    assert result.facets["country"]["JP"] == 1


def test_the_member_finds_their_own_unlisted_profile_but_other_members_do_not(d):
    assert d.ha.id in ids(search(d.users.ha, q="Lê Thu Hà"))
    assert d.ha.id not in ids(search(d.users.other_member, q="Lê Thu Hà"))
    assert "JP" not in search(d.users.other_member).facets["country"]


def test_officials_only_fields_are_not_matched_for_the_public(d):
    # Quân's organisation is visible to officials only.
    assert ids(search(q="Quasarlab")) == []
    assert ids(search(d.users.province, q="Quasarlab")) == [d.quan.id]
    assert search(q="Quasarlab").facets["country"] == {}


def test_private_contact_details_are_never_matched_highlighted_or_counted(d):
    for user in (None, d.users.other_member, d.users.province, d.users.embassy):
        result = search(user, q="zephyrmail")
        assert result.total == 0
        assert all(not counts for counts in result.facets.values())
    admin = search(d.users.admin, q="zephyrmail")
    assert ids(admin) == [d.dung.id]
    assert "<mark>zephyrmail</mark>" in admin.hits[0]["highlights"]["email"]


def test_public_contact_details_are_searchable(d):
    assert ids(search(q="lan@example.org")) == [d.lan.id]


def test_highlights_never_show_a_field_the_searcher_may_not_see(d):
    hit = search(q="quan").hits[0]
    assert hit["id"] == d.quan.id
    assert "organization" not in hit and "bio" not in hit
    assert set(hit["highlights"]) <= {"full_name", "hometown_as_given"}


def test_did_you_mean_offers_a_correction_that_finds_something(d):
    result = search(q="semicondutcorz")
    if result.total == 0:
        assert result.suggestion is not None
        assert search(q=result.suggestion).total > 0


# --- the creation date ---------------------------------------------------------------------------


def test_added_since_keeps_the_profiles_created_from_that_day_indexed_or_pending(
    d, sync, backend_name
):
    from datetime import timedelta

    from directory.core.models import utcnow
    from directory.search.sync import pending_count

    everyone = search(d.users.admin)
    d.dung.created_at = utcnow() - timedelta(days=200)
    d.lan.created_at = utcnow() - timedelta(days=92)
    db.session.commit()
    sync()
    since = (utcnow() - timedelta(days=90)).date().isoformat()
    recent = search(d.users.admin, added_since=since)
    assert d.dung.id not in ids(search(d.users.admin, added_since=since, per_page=100))
    assert recent.total == everyone.total - 2
    assert sum(recent.facets["kind"].values()) < sum(everyone.facets["kind"].values())
    # A profile created now, not indexed yet (Meilisearch: until the worker runs), is in the
    # list; an old one changed is still out.
    PersonFactory(full_name="Trần Mới Đến", country="FR", consent_listed=True)
    d.lan.title = "Kỹ sư mới"
    db.session.commit()
    assert pending_count() > 0 or backend_name == "sqlite"
    pending = search(d.users.admin, added_since=since, per_page=100)
    assert pending.total == recent.total + 1
    assert "Trần Mới Đến" in names(pending) and d.lan.id not in ids(pending)
    # A day to come selects nothing; the filter combines with the others.
    later = (utcnow() + timedelta(days=2)).date().isoformat()
    assert search(d.users.admin, added_since=later).total == 0
    assert search(d.users.admin, ("country", "FR"), added_since=since).total <= pending.total


def test_a_malformed_added_since_is_refused(d):
    from directory.core.errors import ValidationError

    with pytest.raises(ValidationError) as caught:
        search(added_since="last week")
    assert "added_since" in caught.value.fields


# --- why a hit matched -----------------------------------------------------------------------


def _matched(result, person) -> list[str]:
    return next(h["matched"] for h in result.hits if h["id"] == person.id)


def test_each_hit_says_why_it_matched(d):
    assert _matched(search(q="nguyen van dung"), d.dung) == ["name"]
    # A field named in Vietnamese or English, or by a synonym: the field, by its code.
    assert "field:semiconductors" in _matched(search(q="bán dẫn"), d.dung)
    assert "field:semiconductors" in _matched(search(q="semiconductor"), d.dung)
    # The hometown under its current name, for one who gave a former one, and under that name.
    assert "hometown" in _matched(search(q="lao cai"), d.lan)
    assert "hometown" in _matched(search(q="Yên Bái"), d.lan)
    assert _matched(search(q="Schmidt"), d.lan) == ["name"]  # another name
    # Without words, nothing to explain.
    assert all(h["matched"] == [] for h in search(("country", "FR")).hits)
