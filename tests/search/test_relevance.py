"""Who comes first: ranking specified once and run on BOTH engines (bench/relevance.py measures
the same at scale)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from werkzeug.datastructures import MultiDict

from directory.extensions import db
from directory.search.services import parse_search_args, run_search
from tests.factories import PersonFactory


@pytest.fixture(params=["sqlite", "meilisearch"])
def backend_name(request):
    return request.param


def _at(day: int) -> datetime:
    return datetime(2025, 3, day, 12, 0, tzinfo=UTC)


def person(**kw):
    """A listed public profile with nothing but what the test gives (thin by default)."""
    values = {
        "fields": [],
        "title": None,
        "organization": None,
        "bio": None,
        "country": "FR",
        "city": "Lyon",
        "hometown_province": "ha-noi",
        "hometown_as_given": "Hà Nội",
        "languages": ["vi"],
    }
    values.update(kw)
    return PersonFactory(**values)


def ids(*pairs, **args) -> list[str]:
    multi = MultiDict(list(pairs) + list(args.items()))
    return [h["id"] for h in run_search(parse_search_args(multi), None).hits]


def dated(sync, *people):
    """Give ``people`` update times, the first the most recent, then index them."""
    for day, p in enumerate(people, start=1):
        p.updated_at = _at(30 - day)
    db.session.commit()
    sync()


# --- names -------------------------------------------------------------------------------------


@pytest.fixture
def tu(app, sync):
    """Trần Văn Tú, and Trần … whose biographies are full of "văn" and of words in "tu"."""
    target = person(full_name="Trần Văn Tú", title="Kỹ sư", organization="Bosch")
    bio = "Tư vấn văn hóa từ năm 2010, tư vấn du lịch, tuyển dụng, văn phòng tư vấn."
    others = [
        person(full_name=name, bio=bio, title="Tư vấn viên")
        for name in ("Trần Bảo Châu", "Trần Kim Vân", "Trần Xuân Nam", "Trần Văn Tuấn")
    ]
    dated(sync, *others, target)
    return target


@pytest.mark.parametrize("text", ["Trần Văn Tú", "tran van tu", "TRAN VAN TU"])
def test_an_exact_full_name_ranks_that_person_first_with_or_without_diacritics(tu, text):
    assert ids(q=text)[0] == tu.id


def test_an_exact_name_ranks_above_longer_names_and_names_starting_the_same(app, sync):
    an = person(full_name="Nguyễn Văn An")
    others = [
        person(full_name="Nguyễn Văn Anh", title="Giám đốc", organization="CNRS", bio="Kỹ sư."),
        person(full_name="Nguyễn Văn An Khang", verified_at=_at(1)),
        person(full_name="Nguyễn An Văn"),
    ]
    dated(sync, *others, an)
    assert ids(q="Nguyễn Văn An")[0] == an.id
    assert ids(q="nguyen van an")[0] == an.id


@pytest.fixture
def phuong(app, sync):
    """Nguyễn Lan Phương, among Nguyễn Phương …: Phương is their middle name, not her given one."""
    target = person(full_name="Nguyễn Lan Phương")
    others = [
        person(full_name=f"Nguyễn Phương {given}", title="Tiến sĩ", organization="CNRS")
        for given in ("Hương", "Nhi", "Trang", "Linh")
    ]
    dated(sync, *others, target)
    return target


@pytest.mark.parametrize("text", ["Phuong Nguyen", "Phương Nguyễn", "Lan Phuong Nguyen"])
def test_a_name_in_western_order_finds_the_person_in_the_top_three(phuong, text):
    assert phuong.id in ids(q=text)[:3]


def test_a_name_with_one_mistyped_word_finds_the_person_in_the_top_three(app, sync):
    # "dong" (Dương mistyped) is also a word of other profiles (Đồng Nai), beside Khánh and a
    # word starting with "nhi": the name matched whole, with one typo, still comes first.
    target = person(full_name="Dương Khánh Nhi")
    others = [
        person(
            full_name=f"Hoàng Khánh {given}",
            hometown_province="dong-nai",
            hometown_as_given="Đồng Nai",
            bio="Có nhiều năm kinh nghiệm.",
        )
        for given in ("Linh", "Ly", "Ninh", "Vy")
    ]
    dated(sync, *others, target)
    assert target.id in ids(q="dong khanh nhi")[:3]
    assert target.id in ids(q="Dương Khnah Nhi")[:3]


# --- provinces ---------------------------------------------------------------------------------


@pytest.fixture
def quang_nam(app, sync):
    home = [
        person(full_name="Võ Duy Sơn", hometown_province="da-nang", hometown_as_given="Quảng Nam"),
        person(full_name="Lê Thị Yến", hometown_province="da-nang", hometown_as_given="Quang Nam"),
    ]
    named = person(full_name="Trần Quang Nam", bio="Kỹ sư xây dựng.")
    scattered = [
        # "Quang" in the name, "Nam" in the hometown or in the bio: not about Quảng Nam.
        person(full_name="Lê Quang Huy", hometown_province="ninh-binh", hometown_as_given="Hà Nam"),
        person(full_name="Phạm Minh Quang", bio="Yêu quê hương Việt Nam."),
    ]
    dated(sync, named, *scattered, *home)
    return home, named, scattered


@pytest.mark.parametrize("text", ["Quảng Nam", "quang nam"])
def test_a_province_query_ranks_its_people_above_names_holding_the_syllables(quang_nam, text):
    home, named, scattered = quang_nam
    found = ids(q=text)
    assert set(found[:2]) == {p.id for p in home}
    assert not {p.id for p in scattered} & set(found)
    if named.id in found:  # names holding the words side by side may follow
        assert found.index(named.id) >= 2


def test_a_province_query_does_not_count_syllables_scattered_over_profiles(quang_nam):
    result = run_search(parse_search_args(MultiDict({"q": "Quang Nam"})), None)
    assert result.total <= 3


def test_a_current_province_name_still_finds_who_gave_a_legacy_name_first(quang_nam):
    home, named, scattered = quang_nam
    assert set(ids(q="Đà Nẵng")[:2]) == {p.id for p in home}


# --- fields, quality ---------------------------------------------------------------------------


def test_verified_and_complete_profiles_come_before_thin_ones_among_equals(app, sync):
    thin = person(full_name="Đỗ Văn Bình", fields=["semiconductors"])
    complete = person(
        full_name="Hồ Thị Mai",
        fields=["semiconductors"],
        title="Giám đốc",
        organization="Soitec",
        bio="Mười năm kinh nghiệm công nghiệp.",
    )
    verified = person(
        full_name="Ngô Văn Lâm",
        fields=["semiconductors"],
        title="Giám đốc",
        organization="Soitec",
        bio="Mười năm kinh nghiệm công nghiệp.",
        verified_at=_at(1),
    )
    dated(sync, thin, complete, verified)  # the thinnest is the most recent
    assert ids(q="ban dan") == [verified.id, complete.id, thin.id]
    assert ids(q="semiconductors") == [verified.id, complete.id, thin.id]


def test_text_hidden_from_the_public_does_not_make_a_profile_rank_higher(app, sync):
    # Title, organisation and biography visible to officials only count for nobody.
    hidden = person(
        full_name="Đỗ Văn Bình",
        fields=["semiconductors"],
        title="Giám đốc",
        organization="Soitec",
        bio="Mười năm kinh nghiệm.",
        visibility_profile="officials",
    )
    thin = person(full_name="Hồ Thị Mai", fields=["semiconductors"])
    dated(sync, thin, hidden)
    assert ids(q="ban dan") == [thin.id, hidden.id]


def test_the_verified_chip_designer_comes_first_for_ban_dan_in_france(app, sync):
    # The demo's case: Võ Thành Nhân's title and biography say what he does.
    nhan = person(
        full_name="Võ Thành Nhân",
        fields=["semiconductors", "electrical-engineering", "nanotechnology"],
        title="Kỹ sư trưởng thiết kế vi mạch",
        organization="STMicroelectronics",
        city="Grenoble",
        bio="Kỹ sư trưởng thiết kế vi mạch tại STMicroelectronics (Grenoble), 18 năm kinh "
        "nghiệm về thiết kế chip tương tự và đóng gói tiên tiến.",
        hometown_province="da-nang",
        hometown_as_given="Quảng Nam",
        verified_at=_at(1),
    )
    tag_only = person(full_name="Nguyễn Diệu Anh", fields=["semiconductors"])
    professor = person(
        full_name="Nguyễn Thành Phong",
        fields=["semiconductors", "electrical-engineering"],
        title="Phó giáo sư",
        organization="Aix-Marseille Université",
        bio="Làm việc tại Aix-Marseille Université, chuyên sâu về bán dẫn.",
        verified_at=_at(2),
    )
    engineer = person(
        full_name="Trần Văn Tiến",
        fields=["semiconductors"],
        title="Principal Engineer",
        organization="STMicroelectronics",
        bio="More than 29 years of research and practice in semiconductors.",
    )
    abroad = person(full_name="Lê Văn Hùng", fields=["semiconductors"], country="DE")
    dated(sync, tag_only, engineer, professor, abroad, nhan)
    found = ids(q="ban dan", country="FR")
    assert found[0] == nhan.id
    assert set(found) == {nhan.id, tag_only.id, professor.id, engineer.id}


def test_a_field_phrase_does_not_match_words_of_different_fields(app, sync):
    # "năng lượng" (energy), "tái" (tái chế, recycling) and "tạo" (chế tạo, manufacturing)
    # are all in his tags, never side by side: he is no renewable energy expert.
    mixed = person(full_name="Vũ Văn Duy", fields=["energy", "manufacturing", "circular-economy"])
    solar = person(full_name="Đặng Thị Lan", fields=["renewable-energy"])
    dated(sync, mixed, solar)
    assert ids(q="năng lượng tái tạo") == [solar.id]
    assert ids(q="nang luong tai tao") == [solar.id]


def test_a_query_that_is_one_taxonomy_term_does_not_match_words_starting_with_it(app, sync):
    lawyer = person(full_name="Hoàng Lan Nga", fields=["professional-services"])
    jurist = person(full_name="Trần Bình", fields=["law"])
    dated(sync, lawyer, jurist)
    assert ids(q="Law") == [jurist.id]
    assert lawyer.id in ids(q="lawy")  # a word being typed is still a prefix


def test_how_many_fields_a_profile_holds_does_not_rank_it(app, sync):
    # Meilisearch ranks by the position of a match: a field's key must not come first for
    # profiles that hold fewer fields (their keys are listed alphabetically).
    broad = person(
        full_name="Ngô Văn Lâm",
        fields=["agriculture", "architecture", "biology", "semiconductors"],
        title="Giám đốc",
        organization="Soitec",
        bio="Mười năm kinh nghiệm công nghiệp.",
        verified_at=_at(1),
    )
    single = person(full_name="Đỗ Văn Bình", fields=["semiconductors"])
    dated(sync, single, broad)
    assert ids(q="semiconductors") == [broad.id, single.id]
