"""Load benchmark: the application under gunicorn, PostgreSQL and Meilisearch on this machine.

    .venv/bin/python bench/load.py --people 100000 --seconds 60 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/loadperf_load \
        --workdir /tmp/load100k [--reuse]

What it does:

1. loads ``--people`` synthetic profiles (``bench/common.py``'s generator) into the PostgreSQL
   database, with a mission for France, Germany and the United States and ``--officers`` of
   its officers, each with an API token (``--reuse``: keeps a database that already holds
   them, and the Meilisearch index ``--workdir`` holds, instead of loading and indexing again);
2. starts Meilisearch (MEILI_BIN or .tools, its data in ``--workdir``), indexes the profiles
   with ``flask search reindex``'s code, then starts ``gunicorn app:app`` on 127.0.0.1
   (``--workers`` gthread workers of ``--threads`` threads) and ``flask search worker``, the
   process that applies the outbox to the index, as in production;
3. runs ``--clients`` client threads for ``--seconds`` seconds (closed loop: each sends its
   next request when the last one answered), each request drawn from the mix:

   - 80 % ``GET /api/v1/search`` with filters (country, field, province, language, kind,
     verified; with words or without; pages 1-3), 70 % anonymous, 30 % signed in (an
     officer's bearer token);
   - 15 % ``GET /api/v1/people/<id>`` (anonymous: a listed profile; an officer: any);
   - 5 % ``PATCH /api/v1/people/<id>`` by an officer (a new title on an unclaimed profile of
     the mission's countries), through the outbox and the worker to Meilisearch;
4. prints the throughput, p50/p95/p99 per kind of request, the errors (any status other than
   200, or a failed connection), and the index lag: from the edit's answer to the moment
   Meilisearch itself returns the profile for the edit's new word (a poller sends one
   multi-search for all the edits not yet seen, every ``--poll`` seconds).

The client runs in this process (threads on keep-alive ``http.client`` connections), on the
same two cores as everything else: its CPU time is printed with the rest.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import string
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, load_database, make_app, percentile  # noqa: E402

MISSION_COUNTRIES = ("FR", "DE", "US")
KINDS = ("search", "view", "edit")


# --- the directory ---------------------------------------------------------------------------


def prepare(args, workdir: Path, meili: tuple[str, str]) -> dict:
    """Profiles, mission, officers and their tokens, the index; what the clients need."""
    import sqlalchemy as sa

    from directory.extensions import db

    app = make_app(workdir / "instance-setup", args.database_url, "meilisearch", meili)
    app.config["MEILI_INDEX_PREFIX"] = "load"
    started = time.perf_counter()
    seconds = load_database(app, args.people)
    print(f"{args.people} profiles in the database (loaded in {seconds:.0f} s)")
    with app.app_context(), app.test_request_context():
        from directory.accounts.models import ApiToken, User
        from directory.accounts.services import create_api_token
        from directory.missions.models import Mission, MissionCountry
        from directory.people.models import Person

        mission = db.session.scalar(sa.select(Mission).where(Mission.code == "LOAD"))
        if mission is None:
            mission = Mission(code="LOAD", name="Load benchmark mission", country_links=[])
            for country in MISSION_COUNTRIES:
                mission.country_links.append(MissionCountry(country=country))
            db.session.add(mission)
            db.session.flush()
        tokens = []
        for i in range(args.officers):
            email = f"load-officer-{i}@example.vn"
            officer = db.session.scalar(sa.select(User).where(User.email == email))
            if officer is None:
                officer = User(email=email, role="embassy", mission_id=mission.id)
                db.session.add(officer)
                db.session.flush()
            # A fresh token per run (the clear text is shown once); old ones are dropped.
            db.session.execute(sa.delete(ApiToken).where(ApiToken.user_id == officer.id))
            tokens.append(create_api_token(officer, "load benchmark", days=1)[1])
        db.session.commit()
        listed = list(
            db.session.scalars(
                sa.select(Person.id).where(
                    Person.consent_listed.is_(True),
                    Person.anonymised_at.is_(None),
                    Person.visibility_profile == "public",
                )
            )
        )
        editable = list(
            db.session.scalars(
                sa.select(Person.id).where(
                    Person.country.in_(MISSION_COUNTRIES),
                    Person.anonymised_at.is_(None),
                    ~Person.user.has(),
                )
            )
        )
        every = list(db.session.scalars(sa.select(Person.id)))
        pending = db.session.scalar(
            sa.text("select count(*) from search_outbox where done_at is null")
        )
    print(
        f"{len(listed)} listed public profiles, {len(editable)} editable by the officers, "
        f"{pending} index changes pending"
    )
    index_docs = _index_size(meili, "load_people")
    if not args.reuse or index_docs < args.people:
        from directory.search.sync import reindex

        t = time.perf_counter()
        count = reindex(app, batch_size=5000, echo=lambda *_: None)
        print(f"indexed {count} documents in {time.perf_counter() - t:.0f} s")
    else:
        print(f"index reused: {index_docs} documents")
    print(f"set-up {time.perf_counter() - started:.0f} s")
    return {"tokens": tokens, "listed": listed, "editable": editable, "every": every}


def _index_size(meili: tuple[str, str], uid: str) -> int:
    import meilisearch

    try:
        return meilisearch.Client(*meili).index(uid).get_stats().number_of_documents
    except meilisearch.errors.MeilisearchError:
        return 0


# --- processes ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_environment(args, workdir: Path, meili: tuple[str, str]) -> dict:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=args.database_url,
        SEARCH_BACKEND="meilisearch",
        MEILI_URL=meili[0],
        MEILI_MASTER_KEY=meili[1],
        MEILI_INDEX_PREFIX="load",
        SECRET_KEY="load-benchmark",
        INSTANCE_PATH=str(workdir / "instance-app"),
        LOG_LEVEL=args.log_level,
    )
    return env


def start_gunicorn(args, workdir: Path, env: dict, port: int) -> subprocess.Popen:
    log = open(workdir / "gunicorn.log", "ab")  # noqa: SIM115 - the process owns it
    binary = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [
            str(binary),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(args.threads),
            "--keep-alive",
            "30",
            "--worker-tmp-dir",
            "/dev/shm",
            "--access-logfile",
            "/dev/null",
            "app:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: see {workdir / 'gunicorn.log'}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer in time")


def start_worker(args, workdir: Path, env: dict) -> subprocess.Popen:
    log = open(workdir / "worker.log", "ab")  # noqa: SIM115 - the process owns it
    flask = Path(sys.executable).with_name("flask")
    return subprocess.Popen(
        [str(flask), "--app", "app", "search", "worker", "--interval", str(args.worker_interval)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its children that exited (Linux), or 0."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def children_cpu(pid: int) -> float:
    """CPU seconds of ``pid`` and its live children (gunicorn's workers)."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == pid:
                children.append(int(entry.name))
    return cpu_seconds(pid) + sum(cpu_seconds(c) for c in children)


def wait_for_outbox(database_url: str, timeout: float) -> float:
    """Wait until the worker has applied every pending index change; the seconds it took."""
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    started = time.monotonic()
    try:
        while time.monotonic() - started < timeout:
            with engine.connect() as conn:
                pending = conn.scalar(
                    sa.text("select count(*) from search_outbox where done_at is null")
                )
            if not pending:
                break
            time.sleep(0.2)
    finally:
        engine.dispose()
    return time.monotonic() - started


# --- the traffic ---------------------------------------------------------------------------------

FIELDS = [
    "semiconductors", "artificial-intelligence", "renewable-energy", "logistics", "healthcare",
    "finance", "software", "education", "agriculture", "construction",
]  # fmt: skip
WORDS = ["", "", "", "kỹ sư", "nguyen", "tran thi", "paris", "y te", "ban dan",
         "machine learning", "Hương", "giao su", "logistics", "Schmidt", "năng lượng"]  # fmt: skip
COUNTRIES = ["FR", "DE", "US", "JP", "KR", "AU", "CA", "GB"]
LANGUAGES = ["fr", "de", "en", "ja", "vi"]
PROVINCES = ["da-nang", "ha-noi", "lao-cai", "hue", "nghe-an", "can-tho", "hai-phong"]


def search_params(rng: random.Random, fields: list[str]) -> list[tuple[str, str]]:
    """A search with one to three filters, words or none, page 1 to 3."""
    params = []
    words = rng.choice(WORDS)
    if words:
        params.append(("q", words))
    filters = rng.sample(["country", "field", "province", "language", "kind", "verified"],
                         rng.randint(1, 3))  # fmt: skip
    for name in filters:
        if name == "country":
            for c in rng.sample(COUNTRIES, rng.choice([1, 1, 2])):
                params.append(("country", c))
        elif name == "field":
            params.append(("field", rng.choice(fields)))
        elif name == "province":
            params.append(("province", rng.choice(PROVINCES)))
        elif name == "language":
            params.append(("language", rng.choice(LANGUAGES)))
        elif name == "kind":
            params.append(("kind", rng.choice(["expert", "entrepreneur"])))
        else:
            params.append(("verified", "true"))
    page = rng.choice([1, 1, 1, 1, 2, 3])
    if page > 1:
        params.append(("page", str(page)))
    if rng.random() < 0.1:
        params.append(("sort", "name"))
    return params


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = {k: [] for k in KINDS}
        self.errors: dict[str, int] = {k: 0 for k in KINDS}
        self.samples: list[str] = []
        self.signed_in = 0

    def record(self, kind: str, seconds: float, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.latency[kind].append(seconds)
            if not ok:
                self.errors[kind] += 1
                if len(self.samples) < 10:
                    self.samples.append(f"{kind}: {detail}")


class Lag:
    """Edits waiting to show in Meilisearch: word -> (person id, time of the edit's answer)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.waiting: dict[str, tuple[str, float]] = {}
        self.seen: list[float] = []

    def add(self, word: str, person_id: str, at: float) -> None:
        with self.lock:
            self.waiting[word] = (person_id, at)


def client_loop(n: int, port: int, setup: dict, stats: Stats, lag: Lag, until: float) -> None:
    rng = random.Random(1000 + n)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    tokens = setup["tokens"]
    fields = setup["fields"]
    while time.monotonic() < until:
        roll = rng.random()
        signed_in = rng.random() < 0.3
        headers = {"Accept-Language": rng.choice(["vi", "en"])}
        body = None
        method = "GET"
        if roll < 0.80:
            kind = "search"
            path = "/api/v1/search?" + urllib.parse.urlencode(search_params(rng, fields))
        elif roll < 0.95:
            kind = "view"
            pool = setup["every"] if signed_in else setup["listed"]
            path = f"/api/v1/people/{rng.choice(pool)}"
        else:
            kind = "edit"
            signed_in = True
            person_id = rng.choice(setup["editable"])
            word = "".join(rng.choice(string.ascii_lowercase) for _ in range(12))
            path = f"/api/v1/people/{person_id}"
            method = "PATCH"
            body = json.dumps({"title": f"Kỹ sư {word}"}).encode()
            headers["Content-Type"] = "application/json"
        if signed_in:
            headers["Authorization"] = f"Bearer {tokens[n % len(tokens)]}"
        start = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            ok = response.status == 200
            detail = f"{response.status} {path[:80]} {data[:200]!r}"
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException) as exc:
            ok, detail = False, f"{type(exc).__name__}: {exc} ({path[:80]})"
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        elapsed = time.perf_counter() - start
        stats.record(kind, elapsed, ok, detail)
        if kind == "edit" and ok:
            lag.add(word, person_id, time.monotonic())
        with stats.lock:
            stats.signed_in += signed_in
    conn.close()


def lag_poller(meili: tuple[str, str], lag: Lag, until: float, interval: float) -> None:
    """Ask Meilisearch for every edit's word, all at once, until each one is found."""
    import requests

    session = requests.Session()
    headers = {"Authorization": f"Bearer {meili[1]}", "Content-Type": "application/json"}
    while time.monotonic() < until:
        with lag.lock:
            waiting = dict(lag.waiting)
        if waiting:
            words = list(waiting)
            queries = [
                {
                    "indexUid": "load_people",
                    "q": word,
                    "limit": 3,
                    "attributesToRetrieve": ["entity_id"],
                }
                for word in words
            ]
            response = session.post(
                f"{meili[0]}/multi-search", json={"queries": queries}, headers=headers, timeout=10
            )
            now = time.monotonic()
            response.raise_for_status()
            with lag.lock:
                for word, result in zip(words, response.json()["results"], strict=True):
                    person_id, at = waiting[word]
                    if any(h.get("entity_id") == person_id for h in result["hits"]):
                        lag.waiting.pop(word, None)
                        lag.seen.append(now - at)
        time.sleep(interval)


# --- main ----------------------------------------------------------------------------------------


def report(args, stats: Stats, lag: Lag, elapsed: float, cpu: dict) -> None:
    total = sum(len(v) for v in stats.latency.values())
    errors = sum(stats.errors.values())
    print(
        f"\n{total} requests in {elapsed:.1f} s: {total / elapsed:.0f} requests/s "
        f"({args.clients} clients, {args.workers} gunicorn workers x {args.threads} threads; "
        f"{stats.signed_in / max(total, 1):.0%} signed in)"
    )
    print(
        f"{'kind':<8} {'count':>7} {'share':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}"
    )
    for kind in KINDS:
        values = stats.latency[kind]
        if not values:
            continue
        p = [percentile(values, q) * 1000 for q in (0.5, 0.95, 0.99)]
        print(
            f"{kind:<8} {len(values):>7} {len(values) / total:>6.0%} {p[0]:>8.1f} {p[1]:>8.1f} "
            f"{p[2]:>8.1f} {stats.errors[kind]:>7}"
        )
    print(f"errors: {errors}")
    for sample in stats.samples:
        print(f"  {sample}")
    edits = len(stats.latency["edit"]) - stats.errors["edit"]
    if lag.seen:
        print(
            f"index lag (edit answered -> found in Meilisearch): {len(lag.seen)} of {edits} "
            f"edits seen, p50 {percentile(lag.seen, 0.5):.2f} s, p95 "
            f"{percentile(lag.seen, 0.95):.2f} s, max {max(lag.seen):.2f} s; "
            f"{len(lag.waiting)} not seen {args.drain:.0f} s after the end"
        )
    print(
        "CPU seconds during the run: "
        + ", ".join(f"{name} {seconds:.0f}" for name, seconds in cpu.items())
        + f" (of {2 * elapsed:.0f} on 2 cores)"
    )
    targets = [
        ("throughput >= 200 requests/s", total / elapsed >= 200),
        (
            "search p95 < 100 ms",
            bool(stats.latency["search"]) and percentile(stats.latency["search"], 0.95) < 0.1,
        ),
        ("no errors", errors == 0),
        (
            "index lag p95 < 2 s",
            bool(lag.seen) and not lag.waiting and percentile(lag.seen, 0.95) < 2,
        ),
    ]
    print("targets: " + "; ".join(f"{name} {'met' if ok else 'NOT met'}" for name, ok in targets))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=5, help="seconds of traffic not counted")
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--officers", type=int, default=4)
    parser.add_argument("--worker-interval", type=float, default=0.2)
    parser.add_argument("--poll", type=float, default=0.1, help="index lag poll interval (s)")
    parser.add_argument("--drain", type=float, default=10, help="wait for late edits (s)")
    parser.add_argument("--log-level", default="WARNING")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("LOAD_DATABASE_URL")
        or "postgresql+psycopg://postgres@127.0.0.1:5432/loadperf_load",
    )
    parser.add_argument("--workdir", default="/tmp/kieubao-load")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database and the index of an earlier run"
    )
    args = parser.parse_args()
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)

    from directory.reference.fields import shipped_fields
    from tests.search.conftest import MeiliServer, find_meilisearch

    binary = find_meilisearch()
    if binary is None:
        print("Meilisearch binary not found: set MEILI_BIN or run `make meilisearch`")
        return 1
    server = MeiliServer(binary, workdir)
    server.start()
    gunicorn = worker = None
    try:
        meili = (server.url, server.key)
        setup = prepare(args, workdir, meili)
        setup["fields"] = [f["code"] for f in shipped_fields()]
        env = app_environment(args, workdir, meili)
        port = free_port()
        gunicorn = start_gunicorn(args, workdir, env, port)
        worker = start_worker(args, workdir, env)
        print(f"gunicorn on 127.0.0.1:{port}, Meilisearch at {server.url}; warming up")

        # Warm-up: every worker imports, connects and caches before the timing.
        warm = Stats()
        until = time.monotonic() + args.warmup
        threads = [
            threading.Thread(target=client_loop, args=(n, port, setup, warm, Lag(), until))
            for n in range(args.clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        # One more edit, then wait until the worker has applied it: the worker is up and
        # has caught up with the warm-up's edits.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request(
            "PATCH",
            f"/api/v1/people/{setup['editable'][0]}",
            body=json.dumps({"title": "Kỹ sư"}).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {setup['tokens'][0]}",
            },
        )
        assert conn.getresponse().status == 200, "the warm-up edit failed"
        conn.close()
        waited = wait_for_outbox(args.database_url, 300)
        print(f"index worker caught up after {waited:.1f} s; measuring {args.seconds:.0f} s")

        stats, lag = Stats(), Lag()
        pids = {"gunicorn": gunicorn.pid, "worker": worker.pid, "meilisearch": server.process.pid}
        before = {name: children_cpu(pid) for name, pid in pids.items()}
        self_before = time.process_time()
        start = time.monotonic()
        until = start + args.seconds
        poller = threading.Thread(
            target=lag_poller, args=(meili, lag, until + args.drain, args.poll), daemon=True
        )
        poller.start()
        threads = [
            threading.Thread(target=client_loop, args=(n, port, setup, stats, lag, until))
            for n in range(args.clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - start
        cpu = {name: children_cpu(pid) - before[name] for name, pid in pids.items()}
        cpu["client"] = time.process_time() - self_before
        drain_until = time.monotonic() + args.drain
        while lag.waiting and time.monotonic() < drain_until:
            time.sleep(0.1)
        report(args, stats, lag, elapsed, cpu)
        errors = sum(stats.errors.values())
        return 1 if errors else 0
    finally:
        stop(gunicorn)
        stop(worker)
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
