"""Relevance benchmark: does the right person (or the right experts) come first, on both engines?

    .venv/bin/python bench/relevance.py
    .venv/bin/python bench/relevance.py --people 3000 --backends sqlite

Builds a synthetic directory whose answers are known (Vietnamese names with diacritics, many
sharing a family name, namesakes on purpose; taxonomy fields tagged or only written in the bio,
in Vietnamese or English; 12 countries; hometowns given under current or legacy names, with or
without diacritics; verified, complete and thin profiles), loads it into a fresh SQLite
application database, indexes it through the application's own code path (``flask search
reindex``) on each engine, and asks, as an anonymous visitor:

========================  ============================================  =======================
class                     query                                         scored
========================  ============================================  =======================
exact name                the full name as written ("Nguyễn Văn Dũng")  the person ranks 1st
unaccented name           the same without diacritics                   the person ranks 1st
typo in one word          one letter swapped, dropped, added or         the person is in the
                          changed in one word of 4+ letters (first      top 3
                          letter kept), without diacritics
Western order             given name then family name ("Dung Nguyen")   the person is in the
                          or middle + given + family ("Van Dung         top 3
                          Nguyen"), with or without diacritics
field, Vietnamese         a taxonomy label without diacritics           precision at 10
                          ("ban dan")
field, English + country  an English label with a country filter        precision at 10
                          ("Semiconductors", country=FR)
province                  a multi-word province name, current or        precision at 10
                          legacy, with or without diacritics
========================  ============================================  =======================

Namesakes: people whose names are the same once folded (no case, no diacritics: the engines
compare folded words, so "Nguyễn Văn Dũng" and "Nguyen Van Dung" are the same name to them)
are equally good answers: the rank of the person is 1 + the number of hits above them that
are NOT namesakes. For a Western-order query every person whose name in Western order ends
with the words typed is an equally good answer ("Dung Nguyen": every Nguyễn … Dũng; "Thu Ha
Nguyen": Nguyễn Thu Hà and Nguyễn Thị Thu Hà). A Western-order query that is also a province
name ("Hải Dương" for Dương … Hải) is left out: a province name ranks the people of that
hometown first (the province class).

Precision at 10: the share of the first 10 hits that are relevant, out of min(10, number of
relevant people). A person is relevant to a field query when one of their fields (tagged, or
named in the text the public may read) has a name or synonym containing the query's words as
a phrase; to a province query when the hometown they gave is that province (a legacy name
finds who gave it; a current name finds everyone of the current province).

Besides the two application engines, raw Meilisearch with its default settings is scored as a
baseline: the same documents without what the application adds for ranking (the name's other
orders, the joined phrases, the quality score), only the filter attributes declared, the
folded words as typed, the public's attributes. Meilisearch comes from MEILI_BIN or .tools.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.relevance_people import Profile

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


# --- queries -------------------------------------------------------------------------------


@dataclass
class Case:
    kind: str
    text: str
    filters: dict = field(default_factory=dict)
    target: str | None = None  # a person who must rank high
    equivalent: frozenset = frozenset()  # equally good answers (namesakes)
    relevant: frozenset = frozenset()  # for precision at 10
    top: int = 1


CLASSES = (
    ("exact", "exact name", "rank 1"),
    ("unaccented", "unaccented name", "rank 1"),
    ("typo", "typo in one word", "top 3"),
    ("western", "Western order", "top 3"),
    ("field_vi", "field, Vietnamese", "P@10"),
    ("field_en", "field, English + country", "P@10"),
    ("province", "province name", "P@10"),
)


def typo(word: str, rng: random.Random) -> str:
    """One edit of ``word`` (4+ letters) that keeps its first letter and 4+ letters (shorter
    words get no typo tolerance on either engine, as in Meilisearch)."""
    letters = "abcdeghiklmnopqrstuvxy"
    while True:
        i = rng.randrange(1, len(word))
        edit = rng.choice(["swap", "drop", "add", "change"])
        if edit == "swap" and i < len(word) - 1:
            out = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        elif edit == "drop":
            out = word[:i] + word[i + 1 :]
        elif edit == "add":
            out = word[:i] + rng.choice(letters) + word[i:]
        else:
            out = word[:i] + rng.choice(letters) + word[i + 1 :]
        if out != word and len(out) >= 4:
            return out


def build_cases(people: list[Profile], per_class: int, seed: int) -> list[Case]:
    from bench.relevance_people import field_names
    from directory.reference.fields import shipped_fields
    from directory.reference.provinces import all_provinces
    from search_index.matching import province_phrases
    from search_index.normalize import fold, fold_words

    rng = random.Random(seed + 1)
    visible = [p for p in people if p.row["consent_listed"]]
    by_name: dict[str, set[str]] = defaultdict(set)
    for p in visible:
        by_name[fold(p.row["full_name"])].add(p.row["id"])
    cases: list[Case] = []
    targets = rng.sample(visible, min(per_class, len(visible)))
    for p in targets:
        full = p.row["full_name"]
        same = frozenset(by_name[fold(full)])
        pid = p.row["id"]
        cases.append(Case("exact", full, target=pid, equivalent=same))
        cases.append(Case("unaccented", fold(full), target=pid, equivalent=same))
    for p in rng.sample(visible, min(per_class, len(visible))):
        words = fold_words(p.row["full_name"])
        eligible = [i for i, w in enumerate(words) if len(w) >= 4]
        if not eligible:
            continue
        i = rng.choice(eligible)
        words[i] = typo(words[i], rng)
        same = frozenset(by_name[fold(p.row["full_name"])])
        cases.append(Case("typo", " ".join(words), target=p.row["id"], equivalent=same, top=3))
    western = {
        p.row["id"]: tuple(fold_words(" ".join([*p.middle, p.given, p.family]))) for p in visible
    }
    provinces = province_phrases()
    for p in rng.sample(visible, min(per_class, len(visible))):
        pid = p.row["id"]
        if p.middle and rng.random() < 0.5:
            text = " ".join([*p.middle, p.given, p.family])
        else:
            text = f"{p.given} {p.family}"
        typed = tuple(fold_words(text))
        if " ".join(typed) in provinces:
            continue  # "Hải Dương": a province name, whose people rank first (province class)
        if rng.random() < 0.5:
            text = fold(text).title()
        same = frozenset(q for q, words in western.items() if words[-len(typed) :] == typed)
        cases.append(Case("western", text, target=pid, equivalent=same, top=3))

    names = field_names()
    for f in shipped_fields():
        query = " ".join(fold_words(f["label_vi"]))
        relevant = frozenset(
            p.row["id"]
            for p in visible
            if any(f" {query} " in f" {n} " for code in p.fields for n in names[code])
        )
        if len(relevant) >= 3:
            cases.append(Case("field_vi", query, relevant=relevant))
        english = " ".join(fold_words(f["label_en"]))
        per_country: dict[str, set[str]] = defaultdict(set)
        for p in visible:
            if any(f" {english} " in f" {n} " for code in p.fields for n in names[code]):
                per_country[p.row["country"]].add(p.row["id"])
        if per_country:
            country, ids = max(per_country.items(), key=lambda kv: (len(kv[1]), kv[0]))
            if len(ids) >= 3:
                cases.append(
                    Case(
                        "field_en",
                        f["label_en"],
                        filters={"country": [country]},
                        relevant=frozenset(ids),
                    )
                )
    for province in all_provinces():
        for name in dict.fromkeys([province.name_vi, *province.legacy_names]):
            if len(fold_words(name)) < 2:
                continue
            current = name == province.name_vi
            relevant = frozenset(
                p.row["id"]
                for p in visible
                if (p.province == province.slug if current else fold(name) in fold(p.as_given))
            )
            if len(relevant) >= 3:
                text = name if rng.random() < 0.5 else fold(name)
                cases.append(Case("province", text, relevant=relevant))
    return cases


def score(case: Case, hits: list[str]) -> float:
    """1/0 for a person (rank within ``case.top``, namesakes excepted), or precision at 10."""
    if case.target is not None:
        if case.target not in hits:
            return 0.0
        above = hits[: hits.index(case.target)]
        rank = 1 + sum(1 for h in above if h not in case.equivalent)
        return 1.0 if rank <= case.top else 0.0
    top = hits[:10]
    wanted = min(10, len(case.relevant))
    return min(1.0, sum(1 for h in top if h in case.relevant) / wanted)


# --- engines -------------------------------------------------------------------------------


def load_database(app, people: list[Profile]) -> None:
    import sqlalchemy as sa

    from directory.extensions import db
    from directory.people.models import Person
    from directory.reference.loader import sync_reference_data

    with app.app_context():
        db.create_all()
        sync_reference_data()
        db.session.execute(sa.delete(Person))
        db.session.execute(sa.insert(Person), [p.row for p in people])
        db.session.commit()


def app_runner(app):
    """Search through the application's backend, as an anonymous visitor."""
    from search_index import get_backend
    from search_index.base import Audience, SearchQuery

    backend = get_backend(app)

    def run(case: Case, per_page: int) -> list[str]:
        with app.app_context():
            response = backend.search(
                SearchQuery(
                    text=case.text,
                    filters=case.filters,
                    audience=Audience(level=0, listed_only=True),
                    per_page=per_page,
                )
            )
        return [h.entity_id for h in response.hits]

    return run


def raw_runner(url: str, key: str, app):
    """Meilisearch with its default settings (only the filters declared) over the plain
    documents: the application's, without what it adds for ranking (the name's other orders,
    the joined phrases, the quality score), queried with the folded words as typed."""
    import meilisearch
    from sqlalchemy.orm import Session

    from directory.extensions import db
    from directory.search.documents import all_documents
    from search_index.base import KEYS, NAME_ORDERS, SEARCHABLE
    from search_index.matching import KEY_PREFIXES
    from search_index.meilisearch import MeiliBackend, _ndjson
    from search_index.normalize import fold_words

    client = meilisearch.Client(url, key, timeout=600)
    helper = MeiliBackend(url, key, prefix="relraw")
    uid = "relraw_people"
    helper.wait(client.create_index(uid, {"primaryKey": "id"}))
    helper.wait(client.index(uid).update_filterable_attributes(["listed", "country"]))
    with app.app_context(), Session(bind=db.engine) as session:
        for batch in all_documents(session):
            for doc in batch:
                for name in (*NAME_ORDERS, *KEYS, "quality"):
                    doc.pop(name, None)
                for name in SEARCHABLE:
                    words = doc[name].split()
                    doc[name] = " ".join(w for w in words if not w.startswith(KEY_PREFIXES))
            helper.wait(client.index(uid).add_documents_ndjson(_ndjson(batch), "id"))
    columns = [f"{g}_0" for g in ("name", "tags", "place", "text")]

    def run(case: Case, per_page: int) -> list[str]:
        parts = ["listed = true"]
        for facet, values in case.filters.items():
            parts.append("(" + " OR ".join(f'{facet} = "{v}"' for v in values) + ")")
        result = client.index(uid).search(
            " ".join(fold_words(case.text)),
            {"filter": " AND ".join(parts), "limit": per_page, "attributesToSearchOn": columns},
        )
        return [h["entity_id"] for h in result["hits"]]

    return run


def evaluate(
    run, cases: list[Case]
) -> tuple[dict[str, float], list[tuple[Case, list[str]]], float]:
    totals: dict[str, list[float]] = defaultdict(list)
    misses = []
    start = time.perf_counter()
    for case in cases:
        per_page = max(20, len(case.equivalent) + 5) if case.target else 10
        hits = run(case, per_page)
        value = score(case, hits)
        totals[case.kind].append(value)
        if value < 1.0:
            misses.append((case, hits))
    seconds = time.perf_counter() - start
    return {k: sum(v) / len(v) for k, v in totals.items()}, misses, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1500)
    parser.add_argument("--per-class", type=int, default=300, help="name queries per class")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--backends", default="sqlite,meilisearch,raw")
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--show-misses", type=int, default=0, help="print N misses per class")
    args = parser.parse_args()

    from bench.common import make_app
    from bench.relevance_people import generate
    from directory.search.sync import reindex

    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="kieubao-relevance-"))
    workdir.mkdir(parents=True, exist_ok=True)
    db_path = workdir / "relevance.sqlite3"
    db_path.unlink(missing_ok=True)
    db_url = f"sqlite:///{db_path}"
    people = generate(args.people, args.seed)
    load_database(make_app(workdir / "instance-load", db_url, "sqlite"), people)
    cases = build_cases(people, args.per_class, args.seed)
    names = {p.row["id"]: p.row["full_name"] for p in people}
    counts = defaultdict(int)
    for case in cases:
        counts[case.kind] += 1
    namesakes = sum(1 for c in cases if c.kind == "exact" and len(c.equivalent) > 1)
    print(
        f"{args.people} synthetic people; queries per class: "
        + ", ".join(f"{kind} {counts[kind]}" for kind, _label, _m in CLASSES)
    )
    print(f"exact-name queries whose person has namesakes: {namesakes}")

    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    results: dict[str, dict[str, float]] = {}
    server = None
    try:
        if "sqlite" in backends:
            app = make_app(workdir / "instance-sqlite", db_url, "sqlite")
            reindex(app, echo=lambda *_: None)
            results["embedded"], misses, seconds = evaluate(app_runner(app), cases)
            report_misses("embedded", misses, args.show_misses, names)
        if "meilisearch" in backends or "raw" in backends:
            from tests.search.conftest import MeiliServer, find_meilisearch

            binary = find_meilisearch()
            if binary is None:
                print("Meilisearch binary not found: set MEILI_BIN or run `make meilisearch`")
            else:
                # A fresh server database each run (the indexes are rebuilt anyway).
                server = MeiliServer(binary, Path(tempfile.mkdtemp(dir=workdir)))
                server.start()
                app = make_app(
                    workdir / "instance-meili", db_url, "meilisearch", (server.url, server.key)
                )
                if "meilisearch" in backends:
                    reindex(app, echo=lambda *_: None)
                    results["meilisearch"], misses, seconds = evaluate(app_runner(app), cases)
                    report_misses("meilisearch", misses, args.show_misses, names)
                if "raw" in backends:
                    run = raw_runner(server.url, server.key, app)
                    results["raw default"], misses, seconds = evaluate(run, cases)
                    report_misses("raw default", misses, args.show_misses, names)
    finally:
        if server is not None:
            server.stop()
            shutil.rmtree(server.workdir, ignore_errors=True)

    engines = list(results)
    print()
    print(f"{'class':26} {'measure':8}" + "".join(f"{e:>14}" for e in engines))
    for kind, label, measure in CLASSES:
        row = "".join(f"{results[e].get(kind, float('nan')):14.3f}" for e in engines)
        print(f"{label:26} {measure:8}{row}")
    overall = "".join(f"{sum(results[e].values()) / len(results[e]):14.3f}" for e in engines)
    print(f"{'overall (mean of classes)':26} {'':8}{overall}")


def report_misses(engine: str, misses, limit: int, names: dict[str, str]) -> None:
    if not limit:
        return
    print(f"\n-- {engine}: {len(misses)} misses --")
    shown_per_class: dict[str, int] = defaultdict(int)
    for case, hits in misses:
        shown_per_class[case.kind] += 1
        if shown_per_class[case.kind] > limit:
            continue
        target = names.get(case.target, "") if case.target else ""
        if case.target:
            shown = ", ".join(names.get(h, h) for h in hits[:5])
        else:
            shown = ", ".join(
                names.get(h, h) + ("" if h in case.relevant else " (x)") for h in hits[:10]
            )
        print(
            f"  [{case.kind}] {case.text!r} {case.filters or ''} {target!r} "
            f"({len(case.equivalent)} equivalent): {shown}"
        )


if __name__ == "__main__":
    main()
