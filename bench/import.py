"""Benchmark the spreadsheet import: generate a file, import it, print rows per second.

    .venv/bin/python bench/import.py --rows 100000 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench [--format csv|xlsx] [--reset]

The import runs exactly as the web interface runs it (read and check, normalise, dedupe, stage
for the preview, then the atomic commit), only without the HTTP requests around it.
``--reset`` drops and recreates the database schema first (a benchmark database only!).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đào",
    "Đinh",
    "Lâm",
    "Mai",
    "Trịnh",
    "Trương",
    "Tạ",
    "Hà",
    "Lưu",
    "Kiều",
    "Tôn",
    "Quách",
    "Cao",
    "Vương",
]
MIDDLE = ["Văn", "Thị", "Minh", "Quốc", "Thu", "Ngọc", "Hữu", "Thanh", "Đức", "Kim"]
GIVEN = [
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Phong",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trung",
    "Tuấn",
    "Vy",
    "Yến",
    "Anh",
    "Bảo",
    "Cường",
    "Duy",
    "Hiếu",
    "Hoa",
    "Huy",
    "Khoa",
    "Lộc",
    "My",
    "Nga",
    "Phúc",
    "Quang",
    "Thắng",
    "Thu",
    "Trâm",
    "Việt",
]
CITIES = [
    "Paris",
    "Lyon",
    "Nice",
    "Lille",
    "Nantes",
    "Metz",
    "Brest",
    "Caen",
    "Dijon",
    "Tours",
    "Pau",
    "Nancy",
    "Reims",
    "Rouen",
    "Sète",
    "Vichy",
    "Arles",
    "Agen",
    "Albi",
    "Blois",
]
HOMETOWNS = [
    "Đà Nẵng",
    "Hà Nội",
    "TP. Hồ Chí Minh",
    "Huế",
    "Yên Bái",
    "Nghệ An",
    "Quảng Nam",
    "Hải Phòng",
    "Cần Thơ",
    "Thái Bình",
]
FIELDS = [
    "Bán dẫn",
    "semiconductors",
    "Trí tuệ nhân tạo",
    "artificial intelligence",
    "Năng lượng tái tạo",
    "logistics",
    "Y tế",
    "Du lịch",
]
HEADER = [
    "Họ và tên",
    "Quốc gia",
    "Thành phố",
    "Quê quán",
    "Email",
    "Điện thoại",
    "Lĩnh vực",
    "Năm sinh",
    "Loại",
]


def generate_rows(count: int, seed: int = 7):
    """Realistic, distinct people in France; compact enough for 100,000 rows under 10 MB."""
    rng = random.Random(seed)
    for i in range(count):
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        yield [
            name,
            rng.choice(["Pháp", "FR"]),
            rng.choice(CITIES),
            rng.choice(HOMETOWNS),
            f"p{i}@ex.fr",
            f"06{i:08d}",
            rng.choice(FIELDS),
            str(rng.randint(1950, 2000)),
            rng.choice(["chuyên gia", "doanh nhân", "expert"]),
        ]


def make_file(count: int, fmt: str) -> bytes:
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Danh sách")
        sheet.append(HEADER)
        for row in generate_rows(count):
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(generate_rows(count))
    return buffer.getvalue().encode("utf-8-sig")


def profiler(top: int):
    """A context manager per phase: cProfile around it and its ``top`` functions printed."""
    import contextlib

    @contextlib.contextmanager
    def phase(name: str):
        if not top:
            yield
            return
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.enable()
        try:
            yield
        finally:
            profile.disable()
            print(f"--- {name}: the {top} functions with the most time of their own ---")
            pstats.Stats(profile, stream=sys.stdout).sort_stats("tottime").print_stats(top)

    return phase


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--reset", action="store_true", help="drop and recreate the schema first")
    parser.add_argument(
        "--profile",
        type=int,
        metavar="N",
        default=0,
        help="profile the staging and the commit (cProfile) and print each one's N costliest "
        "functions (their own time); the figures are then slower than without",
    )
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("--database-url is required (a PostgreSQL benchmark database)")

    import sqlalchemy as sa

    from directory import create_app
    from directory.extensions import db

    instance = tempfile.mkdtemp(prefix="import-bench-")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": args.database_url,
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": instance,
            "IMPORT_RUN_INLINE": True,
            # The search index is fed by ``flask search worker`` here, not inside the timing.
            "SEARCH_SYNC_INLINE": False,
        }
    )
    with app.app_context(), app.test_request_context():
        from directory.accounts.models import User
        from directory.imports import batches, commit
        from directory.imports.models import ImportBatch, ImportRow
        from directory.missions.models import Mission, MissionCountry
        from directory.people.models import Person
        from directory.reference.loader import sync_reference_data

        if args.reset:
            if db.engine.dialect.name == "postgresql":
                with db.engine.begin() as conn:
                    conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            else:
                db.drop_all()
        db.create_all()
        sync_reference_data()
        mission = db.session.scalar(sa.select(Mission).where(Mission.code == "BENCH-FR"))
        if mission is None:
            mission = Mission(code="BENCH-FR", name="Bench mission", country_links=[])
            mission.country_links.append(MissionCountry(country="FR"))
            db.session.add(mission)
            db.session.flush()
        officer = db.session.scalar(sa.select(User).where(User.email == "bench@example.vn"))
        if officer is None:
            officer = User(email="bench@example.vn", role="embassy", mission_id=mission.id)
            db.session.add(officer)
        db.session.commit()

        started = time.perf_counter()
        data = make_file(args.rows, args.format)
        generated = time.perf_counter()
        print(
            f"generated {args.rows} rows ({len(data) / 1e6:.1f} MB {args.format}) "
            f"in {generated - started:.1f} s"
        )

        profiled = profiler(args.profile)
        t0 = time.perf_counter()
        with profiled("staging"):
            batch = batches.start_batch(data, f"bench.{args.format}", mission, officer)
            batch = batches.read_batch(batch.id)
        t1 = time.perf_counter()
        if batch.status != "ready":
            print(f"refused: {batch.error_code} {batch.error_params}")
            return 1
        print(
            f"read, checked, deduplicated and staged in {t1 - t0:.1f} s "
            f"({args.rows / (t1 - t0):,.0f} rows/s); errors: {batch.error_rows}, "
            f"duplicates: {batch.duplicate_rows + batch.probable_rows}"
        )
        with profiled("commit"):
            commit.claim_commit(batch, officer)
            batch = commit.commit_batch(batch.id, officer.id)
        t2 = time.perf_counter()
        if batch.status != "done":
            print(f"commit failed: {batch.error_code}")
            return 1
        print(
            f"committed {batch.created_count} people in {t2 - t1:.1f} s "
            f"({batch.created_count / (t2 - t1):,.0f} rows/s)"
        )
        total = t2 - t0
        print(
            f"total {total:.1f} s: {args.rows / total:,.0f} rows/s "
            f"({'within' if total <= 30 else 'OVER'} the 30 s target)"
        )
        people = db.session.scalar(sa.select(sa.func.count()).select_from(Person))
        staged = db.session.scalar(
            sa.select(sa.func.count()).select_from(ImportRow).where(ImportRow.batch_id == batch.id)
        )
        print(f"people in the database: {people}; staged rows: {staged}")
        db.session.get(ImportBatch, batch.id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
