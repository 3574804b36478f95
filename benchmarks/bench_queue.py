"""The work queue endpoint (GET /api/v1/queue) under a load generator on loopback, against
a trivial endpoint of the same server as a same-run baseline.

    python benchmarks/bench_queue.py [--open 100000] [--decided 100000] [--users 10]
                                     [--seconds 60] [--postgres URL] [--quick]
                                     [--write-results]

Needs the `bench` extra (locust): `pip install -e '.[bench]'`.

For the embedded store (SQLite), and PostgreSQL when `--postgres` names an admin URL (the
benchmark creates its own database and drops it afterwards):
  1. builds a store at the newest schema (`crossdock init`) with the demo approval policy
     in force, `--open` open recommendations (most waiting for approval, each routed by
     that policy) and `--decided` decided ones (committed, rejected, cancelled ...) over
     25 warehouses, 20,000 SKUs and 150 suppliers, written in bulk with SQLAlchemy core,
     and a planner (who sees the whole network, supplier cost masked);
  2. the page query alone, in this process: `work_queue()` one call at a time, p50/p95;
  3. starts `crossdock serve --no-worker` on a free loopback port, signs in as the
     planner, and drives it with locust (headless, in a child process: locust patches
     the process it runs in with gevent) with `--users` users that wait for nothing,
     each for `--seconds` after a short warm-up:
     a. the baseline: GET /login, a page rendered from a template, no database;
     b. GET /api/v1/auth/me: the token checked and the person read, nothing else;
     c. the queue: the first page (4 in 10), a site's (2), a kind's (2), a site's and
        kind's (1), and the first page followed by its `next_cursor` three pages deep (1);
     requests/s, p50, p95, p99 (every response timed, none left out), and the queue's
     ratio to the baseline;
  4. (a) and (c) again with one user: the endpoint's latency with nobody ahead of it.
With `--users` users that never wait the server is saturated: their latencies include
the time a request waits behind the others, and requests/s is the server's limit.
`--quick`: 10,000 open and 10,000 decided, 10 s.
Target (issue 8): queue p95 <= 50 ms with 100,000 open recommendations, judged on the
one-user run (latency) and stated for the saturated one too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from crossdock.adapters.db.tables import approvals, plan_runs, recommendations
from crossdock.bootstrap import bootstrap
from crossdock.config import Settings
from crossdock.governance.policy import (
    KIND_WORKFLOWS,
    PolicySet,
    RecommendationFacts,
    Tier,
    load_demo_policy,
    route,
)
from crossdock.service_layer.demo_governance import seed_demo_governance
from crossdock.service_layer.identity import add_person
from crossdock.service_layer.work_queue import QueueFilters, decode_cursor, work_queue
from results_file import write_section

sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # the repository: tests/
from tests.helpers import serving

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)
SITES = ("DC01", *(f"BR{b:02d}" for b in range(1, 25)))
SKUS, SUPPLIERS = 20_000, 150
# kind, share of the queue, the agent that proposes it (None: the nightly plan)
KINDS: tuple[tuple[str, float, str | None], ...] = (
    ("buy", 0.40, None),
    ("transfer", 0.14, None),
    ("rebalance", 0.05, None),
    ("expedite", 0.10, "lead_time"),
    ("defer", 0.07, None),
    ("cancel", 0.03, None),
    ("allocate", 0.09, "allocation"),
    ("order_exception", 0.07, "order_exceptions"),
    ("follow_up", 0.05, "lead_time"),
)
DECIDED = (("committed", 0.62), ("rejected", 0.18), ("cancelled", 0.08), ("expired", 0.07),
           ("reversed", 0.05))  # fmt: skip
TIERS = ("silver", "gold", "strategic", "bronze")
BATCH = 5_000
PLANNER, PASSWORD = "bench-planner", "bench-planner-password"
TOKEN_ENV = "CROSSDOCK_BENCH_TOKEN"  # noqa: S105 - where the locust child finds the token
TARGET_P95_MS = 50
console = Console()


# ------------------------------------------------------------------- the store


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _recommendation(rid: int, rng: random.Random, policy: PolicySet, *, is_open: bool,
                    plan_run_id: int) -> dict[str, Any]:  # fmt: skip
    """One stored recommendation as the plan or an agent writes it, routed by `policy`."""
    kind, agent = rng.choices([(k, a) for k, _, a in KINDS], [s for _, s, _ in KINDS])[0]
    site = SITES[0] if rng.random() < 0.12 else rng.choice(SITES[1:])
    sku = f"SKU-{rng.randrange(SKUS):06d}"
    supplier = f"SUP-{rng.randrange(SUPPLIERS):03d}"
    quantity = float(rng.choice((6, 12, 24, 40, 48, 60, 96, 120, 240, 480)))
    unit_cost = round(rng.lognormvariate(3.0, 0.9), 2)
    value = quantity * unit_cost
    shortage = round(rng.lognormvariate(7.2, 1.3), 2) if kind not in ("defer", "cancel") else 0.0
    holding = round(value * rng.uniform(0.01, 0.06), 2)
    do_nothing = shortage + holding if shortage else round(value * rng.uniform(0.05, 0.3), 2)
    moves = kind in ("transfer", "rebalance", "allocate")
    transport = round(quantity * rng.uniform(0.2, 1.5), 2) if moves else 0.0
    ordering = 45.0 if kind == "buy" else 0.0
    expedite = round(value * rng.uniform(0.04, 0.12), 2) if kind == "expedite" else 0.0
    purchase = value if kind == "buy" else 0.0
    action = ordering + purchase + transport + expedite
    expected = round(holding * rng.uniform(0.3, 0.9) + action, 2)
    on_po = kind in ("expedite", "defer", "cancel", "follow_up")
    po = f"PO-{rng.randrange(10_000, 99_999)}" if on_po else None
    from_code = rng.choice([s for s in SITES if s != site]) if moves else supplier
    tier = rng.choice(TIERS) if kind in ("allocate", "order_exception") else None
    confidence = round(rng.uniform(0.55, 0.98), 2)
    order_value = (
        value if kind in ("buy", "transfer", "rebalance", "expedite", "allocate") else None
    )
    routing = route(
        policy,
        RecommendationFacts(
            recommendation_id=str(rid), workflow=KIND_WORKFLOWS[kind], site=site,
            value=order_value if order_value is not None else action, quantity=quantity,
            change_vs_last_order=rng.uniform(-0.4, 0.6) if kind == "buy" else None,
            customer_tier=tier, confidence=confidence, risk=shortage,
        ),
    )  # fmt: skip
    if not is_open:
        status = rng.choices([s for s, _ in DECIDED], [w for _, w in DECIDED])[0]
    elif rng.random() < 0.03:
        status = "failed"
    elif routing.tier == Tier.AUTO_EXECUTE:
        status = "auto_approved"
    elif routing.tier == Tier.RECOMMEND_ONLY:
        status = "proposed"
    else:
        status = "modified" if rng.random() < 0.03 else "pending_approval"
    first_short = NOW.date() + timedelta(days=rng.randrange(2, 40))
    rationale = None
    if agent is not None:
        rationale = (
            f"{agent.replace('_', ' ')}: {sku} at {site} is {quantity:,.0f} units short of"
            f" open orders from {first_short.isoformat()}; acting on {po or from_code} costs"
            f" {action:,.2f} against {do_nothing:,.2f} if nothing is done"
            f" (goods worth {value:,.2f})."
        )
    return {
        "id": rid,
        "plan_run_id": None if agent else plan_run_id,
        "kind": kind, "sku": sku, "from_code": from_code, "to_code": site, "po_number": po,
        "line_number": rng.randrange(1, 12) if po else None, "quantity": quantity,
        "expected_arrival_date": NOW.date() + timedelta(days=rng.randrange(3, 45)),
        "action_cost": _money(action), "expected_cost": _money(expected),
        "holding_cost": _money(holding), "shortage_cost": _money(shortage),
        "transport_cost": _money(transport), "ordering_cost": _money(ordering),
        "purchase_cost": _money(purchase), "expedite_cost": _money(expedite),
        "do_nothing_cost": _money(do_nothing), "savings": _money(do_nothing - expected),
        "marginal_savings": _money((do_nothing - expected) * rng.uniform(0.4, 1.0)),
        "order_value": None if order_value is None else _money(order_value),
        "scope": f"{sku}@{site}",
        "alternatives": json.dumps([
            {"alternative": "none", "shortage": shortage, "holding": holding,
             "expected_cost": do_nothing},
            {"alternative": kind, "shortage": round(shortage * 0.1, 2), "holding": holding,
             "expected_cost": expected, "unit_cost": unit_cost},
        ]),
        "drivers": json.dumps({
            "forecast": {"mean": round(quantity / 14, 2), "p10": round(quantity / 30, 2),
                         "p90": round(quantity / 8, 2)},
            "lead_time": {"days": rng.randrange(2, 35), "supplier_code": supplier},
            "supplier": {"code": supplier, "unit_price": unit_cost},
            "risk": {"stockout_probability": round(rng.uniform(0.05, 0.95), 2),
                     "first_stockout_date": first_short.isoformat(),
                     "days_of_supply": round(rng.uniform(0, 60), 1)},
            **({"customer_tier": tier} if tier else {}),
        }),
        "confidence": confidence, "model_version": "ets-2026.11", "policy_version": "sizing-v3",
        "status": status, "version": 1 if status == "proposed" else 2,
        "status_changed_at": NOW - timedelta(hours=rng.randrange(1, 24 * (3 if is_open else 90))),
        "proposed_by": f"agent:{agent}" if agent else "plan", "agent": agent,
        "modified_by": "bench-buyer" if status == "modified" else None,
        "approval_policy_version": routing.policy_version,
        "routing": json.dumps(routing.to_json()),
        "rationale": rationale,
        "idempotency_key": f"{agent}:EVT-{rid:08d}:{po or sku}" if agent else None,
    }  # fmt: skip


def _build(url: str, *, open_n: int, decided_n: int) -> dict[str, int]:
    """A store at the newest schema with the recommendations, approvals and the planner."""
    wired = bootstrap(Settings(database_url=url))
    try:
        wired.migrate()
        seed_demo_governance(wired.governance, now=NOW, demo_mode=False)
        add_person(wired.governance, username=PLANNER, roles=["planner"], password=PASSWORD,
                   now=NOW, display_name="Benchmark planner")  # fmt: skip
        policy, rng = load_demo_policy(), random.Random(8)
        with wired.engine.begin() as connection:
            plan = connection.execute(insert(plan_runs).values(
                started_at=NOW, finished_at=NOW, as_of=NOW.date(), status="succeeded",
                import_run_id=None, recommendations=open_n + decided_n,
                money_at_risk=Decimal(0), expected_savings=Decimal(0), settings="{}",
                summary="{}")).inserted_primary_key  # fmt: skip
        assert plan is not None
        counts: dict[str, int] = {}
        given: list[dict[str, Any]] = []
        total = open_n + decided_n
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("writing recommendations", total=total)
            for start in range(1, total + 1, BATCH):
                ids = range(start, min(start + BATCH, total + 1))
                rows = [_recommendation(rid, rng, policy, is_open=rid > decided_n,
                                        plan_run_id=int(plan[0])) for rid in ids]  # fmt: skip
                for row in rows:
                    counts[row["status"]] = counts.get(row["status"], 0) + 1
                    second = json.loads(row["routing"])["second_approver_roles"]
                    if row["status"] == "pending_approval" and second and rng.random() < 0.4:
                        given.append({"recommendation_id": row["id"], "approver": "bench-buyer",
                                      "role": "buyer", "step": 1,
                                      "at": row["status_changed_at"]})  # fmt: skip
                with wired.engine.begin() as connection:
                    connection.execute(insert(recommendations), rows)
                progress.advance(task, len(rows))
        with wired.engine.begin() as connection:
            if given:
                connection.execute(insert(approvals), given)
            if wired.engine.dialect.name == "postgresql":
                # what autovacuum does within a minute of a load this size
                connection.execute(text("ANALYZE recommendations"))
                connection.execute(text("ANALYZE recommendation_approvals"))
        counts["with one approval of two"] = len(given)
        return counts
    finally:
        wired.engine.dispose()


# ------------------------------------------------------------------- the server


@contextmanager
def _server(url: str, log: Path) -> Iterator[str]:
    """`crossdock serve --no-worker` on a free loopback port, in production mode with a
    fresh secret; yields its base URL (tests/helpers.py starts it and waits for it)."""
    env = {**os.environ, "CROSSDOCK_DATABASE_URL": url, "CROSSDOCK_MODE": "production",
           "CROSSDOCK_SECRET_KEY": secrets.token_urlsafe(32)}  # fmt: skip
    with serving(["serve", "--no-worker"], env=env, log=log) as base:
        yield base


def _sign_in(base: str) -> str:
    """The planner's access token, after checking that their first page is what is
    measured: a full page, ranked, the order value masked."""
    form = urllib.parse.urlencode({"username": PLANNER, "password": PASSWORD}).encode()
    with urllib.request.urlopen(f"{base}/api/v1/auth/token", data=form, timeout=30) as answer:  # noqa: S310
        token = str(json.load(answer)["access_token"])
    asking = urllib.request.Request(  # noqa: S310
        f"{base}/api/v1/queue", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(asking, timeout=60) as answer:  # noqa: S310
        page = json.load(answer)
    money = [item["money_at_risk"] for item in page["items"]]
    problems = [
        f"{page['count']} rows and no next page" if page["count"] != 50 or not page["next_cursor"]
        else "", "not ranked by money at risk" if money != sorted(money, reverse=True) else "",
        "the order value not masked for a planner"
        if any(item["order_value"] is not None for item in page["items"])
        or not any("order_value" in item["masked_fields"] for item in page["items"]) else "",
    ]  # fmt: skip
    if any(problems):
        raise RuntimeError(f"the queue is not what is measured: {problems}")
    return token


# ------------------------------------------------------------------- the load


def _drive(spec: dict[str, Any]) -> None:
    """In the locust child: run `spec["target"]` with locust's LocalRunner and print each
    request name's timings summary as one JSON line."""
    import gevent  # noqa: PLC0415 - only in the child, which locust patches
    from locust import FastHttpUser, constant, task  # noqa: PLC0415
    from locust.env import Environment  # noqa: PLC0415

    token, sites, kinds = os.environ[TOKEN_ENV], spec["sites"], spec["kinds"]
    timings: dict[str, list[float]] = {}
    failures: dict[str, int] = {}
    window = {"open": False}

    def record(name: str, response_time: float, exception: BaseException | None,
               **_: Any) -> None:  # fmt: skip
        if not window["open"]:
            return
        if exception is not None:
            failures[name] = failures.get(name, 0) + 1
        else:
            timings.setdefault(name, []).append(response_time)

    class Person(FastHttpUser):
        abstract = True
        host = spec["host"]
        wait_time = constant(0)

        def get(self, path: str, name: str, **params: str) -> Any:
            query = f"?{urllib.parse.urlencode(params)}" if params else ""
            return self.client.get(
                path + query, name=name, headers={"Authorization": f"Bearer {token}"}
            )

    class Baseline(Person):
        @task
        def login_page(self) -> None:
            self.client.get("/login", name="GET /login")

    class SignedIn(Person):
        @task
        def me(self) -> None:
            self.get("/api/v1/auth/me", "GET /api/v1/auth/me")

    class Planner(Person):
        @task(4)
        def first_page(self) -> None:
            self.get("/api/v1/queue", "first page")

        @task(2)
        def site(self) -> None:
            self.get("/api/v1/queue", "a site", site=random.choice(sites))

        @task(2)
        def kind(self) -> None:
            self.get("/api/v1/queue", "a kind", kind=random.choice(kinds))

        @task(1)
        def site_and_kind(self) -> None:
            self.get("/api/v1/queue", "a site and kind", site=random.choice(sites),
                     kind=random.choice(kinds))  # fmt: skip

        @task(1)
        def pages_deep(self) -> None:
            cursor = self.get("/api/v1/queue", "first page").json()["next_cursor"]
            for _ in range(3):
                if cursor is None:
                    break
                cursor = self.get("/api/v1/queue", "next page", cursor=cursor).json()["next_cursor"]

    users = {"baseline": Baseline, "me": SignedIn, "queue": Planner}[spec["target"]]
    environment = Environment(user_classes=[users])
    environment.events.request.add_listener(record)  # type: ignore[no-untyped-call]
    runner = environment.create_local_runner()
    runner.start(spec["users"], spawn_rate=spec["users"])
    gevent.sleep(spec["warmup"])
    window["open"] = True
    started = time.perf_counter()
    gevent.sleep(spec["seconds"])
    window["open"] = False
    seconds = time.perf_counter() - started
    runner.quit()
    every = [t for name_timings in timings.values() for t in name_timings]
    summary = {name: _summary(values, seconds) for name, values in timings.items()}
    summary["all"] = _summary(every, seconds)
    summary["all"]["failures"] = sum(failures.values())
    print(json.dumps(summary))


def _summary(milliseconds: list[float], seconds: float) -> dict[str, float]:
    return {"requests": len(milliseconds), "rps": len(milliseconds) / seconds,
            "p50": _p(milliseconds, 50), "p95": _p(milliseconds, 95),
            "p99": _p(milliseconds, 99)}  # fmt: skip


def _load(
    base: str, token: str, target: str, args: argparse.Namespace, *, users: int
) -> dict[str, Any]:
    """Drive `target` with `users` locust users in a child process (gevent patches the
    process it runs in, so this one stays unpatched)."""
    spec = {"host": base, "target": target, "users": users, "seconds": args.seconds,
            "warmup": args.warmup, "sites": list(SITES),
            "kinds": [k for k, _, _ in KINDS]}  # fmt: skip
    # locust is imported first, so its gevent patch precedes every other import
    bootstrap_child = (
        "import locust, os, runpy, sys; sys.argv = sys.argv[1:];"
        " sys.path.insert(0, os.path.dirname(sys.argv[0]));"
        " runpy.run_path(sys.argv[0], run_name='__main__')"
    )
    with console.status(f"locust: {target}, {users} users, {args.seconds:g} s"):
        child = subprocess.run(  # noqa: S603 - our own command line
            [sys.executable, "-c", bootstrap_child, __file__, "--drive", json.dumps(spec)],
            env={**os.environ, TOKEN_ENV: token}, capture_output=True, text=True, check=False,
        )  # fmt: skip
    if child.returncode != 0 or not child.stdout.strip():
        raise RuntimeError(f"locust ({target}) failed: {child.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    return result


# ------------------------------------------------------------------- in process


def _in_process(url: str, samples: int) -> tuple[list[float], list[float]]:
    """Milliseconds of `work_queue()` alone and of its SQL alone (`open_page`), one call
    at a time, the locust users' mix of pages."""
    wired = bootstrap(Settings(database_url=url))
    rng = random.Random(3)
    kinds = [k for k, _, _ in KINDS]
    shapes = ["first"] * 4 + ["site"] * 2 + ["kind"] * 2 + ["site and kind", "deep"]
    service: list[float] = []
    sql: list[float] = []
    try:
        planner = wired.governance.principal(PLANNER)
        assert planner is not None
        reads = wired.work_queue_reads

        def page(filters: QueueFilters, cursor: str | None = None) -> str | None:
            started = time.perf_counter()
            reads.open_page(filters=filters, sites=None, after=decode_cursor(cursor), limit=51)
            sql.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            found = work_queue(reads, actor=planner, filters=filters, cursor=cursor, limit=50)
            service.append((time.perf_counter() - started) * 1000)
            return found.next_cursor

        while len(service) < samples:
            shape = shapes[len(service) % len(shapes)]
            site, kind = rng.choice(SITES), rng.choice(kinds)
            if shape == "site":
                page(QueueFilters(site=site))
            elif shape == "kind":
                page(QueueFilters(kind=kind))
            elif shape == "site and kind":
                page(QueueFilters(site=site, kind=kind))
            else:
                cursor = page(QueueFilters())
                for _ in range(3 if shape == "deep" else 0):
                    cursor = page(QueueFilters(), cursor) if cursor else None
        return service, sql
    finally:
        wired.engine.dispose()


# ------------------------------------------------------------------- a store


@dataclass
class Measured:
    in_process: list[float]  # work_queue(), ms
    sql: list[float]  # its reads alone (open_page), ms
    baseline: dict[str, Any]
    me: dict[str, Any]
    queue: dict[str, Any]
    baseline_alone: dict[str, Any]  # one user: latency without queueing
    queue_alone: dict[str, Any]


def _measure(url: str, work: Path, args: argparse.Namespace) -> Measured:
    started = time.perf_counter()
    counts = _build(url, open_n=args.open, decided_n=args.decided)
    console.print(f"  built in {time.perf_counter() - started:,.1f} s: {counts}")
    in_process, sql = _in_process(url, args.samples)
    with _server(url, work / f"server-{uuid.uuid4().hex[:6]}.log") as base:
        token = _sign_in(base)
        loads = {target: _load(base, token, target, args, users=args.users)
                 for target in ("baseline", "me", "queue")}  # fmt: skip
        alone = {target: _load(base, token, target, args, users=1)
                 for target in ("baseline", "queue")}  # fmt: skip
    return Measured(in_process, sql, loads["baseline"], loads["me"], loads["queue"],
                    alone["baseline"], alone["queue"])  # fmt: skip


@contextmanager
def _postgres_database(admin_url: str) -> Iterator[str]:
    admin_at = make_url(admin_url)
    if admin_at.drivername == "postgresql":
        admin_at = admin_at.set(drivername="postgresql+psycopg")
    admin = create_engine(admin_at, isolation_level="AUTOCOMMIT")
    name = f"crossdock_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_at.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# ------------------------------------------------------------------- the report


def _p(values: list[float], q: int) -> float:
    """The `q`th percentile (inclusive: never beyond the slowest seen)."""
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _rate(per_second: float) -> str:
    return f"{per_second:,.0f}" if per_second >= 100 else f"{per_second:.1f}"


@dataclass(frozen=True)
class Row:
    endpoint: str
    rps: float
    p50: float
    p95: float
    p99: float
    failed: int | None
    vs_baseline: str  # p95 and req/s over the baseline's
    verdict: str = ""  # against the target, for the queue as a whole


def _rows(m: Measured, users: int) -> list[Row]:
    base = m.baseline["all"]

    def row(endpoint: str, r: dict[str, Any], verdict: str = "", against: Any = None) -> Row:
        base = (against or m.baseline)["all"]
        ratio = f"{r['p95'] / base['p95']:.1f}x"
        if ", queue:" not in endpoint:  # a share of the mix has no req/s of its own
            ratio += f", {r['rps'] / base['rps']:.2f}x"
        failed = r.get("failures")
        return Row(endpoint, r["rps"], r["p50"], r["p95"], r["p99"], failed, ratio, verdict)

    def verdict(r: dict[str, Any]) -> str:
        return "met" if r["all"]["p95"] <= TARGET_P95_MS else "missed"

    single = m.baseline_alone
    rows = [
        row("one user: GET /login (the baseline)", single["all"], against=single),
        row("one user: GET /api/v1/queue, the mix", m.queue_alone["all"], verdict(m.queue_alone),
            against=single),
        row(f"{users} users: GET /login (the baseline: no database)", base),
        row(f"{users} users: GET /api/v1/auth/me (token and person read)", m.me["all"]),
        row(f"{users} users: GET /api/v1/queue, the mix", m.queue["all"], verdict(m.queue)),
    ]  # fmt: skip
    rows += [
        row(f"{users} users, queue: {name}", m.queue[name])
        for name in sorted(m.queue)
        if name != "all"
    ]
    for label, alone in (("`work_queue()` in process, one call at a time", m.in_process),
                         ("its reads alone (`open_page`: SQL, rows parsed)", m.sql)):  # fmt: skip
        rows.append(
            Row(f"{label} ({len(alone)} calls)", 1000 / statistics.mean(alone), _p(alone, 50),
                _p(alone, 95), _p(alone, 99), None, "")
        )  # fmt: skip
    return rows


def _report(results: dict[str, Measured], args: argparse.Namespace) -> str:
    setting = (
        f"{args.open:,} open recommendations (most pending approval, each routed by the demo"
        f" policy) and {args.decided:,} decided ones over {len(SITES)} warehouses, {SKUS:,}"
        f" SKUs and {SUPPLIERS} suppliers; `crossdock serve --no-worker` (one uvicorn"
        f" process) driven on loopback by locust {version('locust')}, by one user (latency)"
        f" and by {args.users} users (throughput), none waiting between requests,"
        f" {args.seconds:g} s each after {args.warmup:g} s of warm-up, as a"
        " planner (supplier cost masked); pages of 50: the first page, a site's, a kind's, a"
        " site's and kind's, and three `next_cursor` pages deep. Load generator, server and"
        f" database share one machine: {os.cpu_count()} cores,"
        f" {platform.processor() or platform.machine()}, Python {platform.python_version()},"
        f" run {datetime.now(UTC).date().isoformat()}."
    )
    lines = [
        setting,
        "",
        (
            "| store | endpoint | requests/s | p50 ms | p95 ms | p99 ms | failed"
            f" | vs. baseline (p95, req/s) | target p95 <= {TARGET_P95_MS} ms |"
        ),
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for store, m in results.items():
        lines += [
            f"| {store} | {r.endpoint} | {_rate(r.rps)} | {r.p50:.1f} | {r.p95:.1f} | {r.p99:.1f}"
            f" | {'' if r.failed is None else r.failed} | {r.vs_baseline} | {r.verdict} |"
            for r in _rows(m, args.users)
        ]
    note = (
        "The baseline is the same server and load generator on a page that reads no"
        " database; `auth/me` adds what every API call pays (the token checked, the person"
        " read). The in-process rows are the service call (the page query, masking, the"
        " actions each row allows) and its reads alone (the SQL, the rows parsed), without HTTP"
        " and without queueing. Each shape of the mix (`queue: ...`) rests on a share of its"
        " requests, so its percentiles are rougher. One user measures the endpoint's latency:"
        " each request waits for nothing but itself. With users that never wait, a request's"
        " latency is its service time plus its wait behind the other users', and"
        " requests/s is the server's limit (one process on one core of two; locust and the"
        " database take the other)."
    )
    return "\n".join([*lines, "", note])


def _print_table(results: dict[str, Measured], users: int) -> None:
    table = Table(title="GET /api/v1/queue under locust")
    columns = ("store", "endpoint", "req/s", "p50 ms", "p95 ms", "p99 ms", "failed",
               "vs. baseline (p95, req/s)", "target")  # fmt: skip
    for name in columns:
        table.add_column(name, justify="left" if name in ("store", "endpoint") else "right")
    for store, m in results.items():
        for r in _rows(m, users):
            table.add_row(
                store, r.endpoint, _rate(r.rps), f"{r.p50:.1f}", f"{r.p95:.1f}",
                f"{r.p99:.1f}", "" if r.failed is None else str(r.failed), r.vs_baseline,
                r.verdict,
            )  # fmt: skip
    Console(width=max(console.width, 160)).print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=100_000, help="open recommendations")
    parser.add_argument("--decided", type=int, default=100_000, help="decided ones")
    parser.add_argument("--users", type=int, default=10, help="locust users, none waits")
    parser.add_argument("--seconds", type=float, default=60.0, help="measured, per endpoint")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds before measuring")
    parser.add_argument("--samples", type=int, default=500, help="in-process calls")
    parser.add_argument(
        "--postgres", help="admin URL, e.g. postgresql+psycopg://postgres@127.0.0.1/postgres"
    )
    parser.add_argument("--quick", action="store_true", help="10k + 10k recommendations, 10 s")
    parser.add_argument("--write-results", action="store_true")
    parser.add_argument("--drive", help=argparse.SUPPRESS)  # the locust child's spec
    args = parser.parse_args()
    if args.drive:
        _drive(json.loads(args.drive))
        return
    if args.quick:
        args.open, args.decided, args.seconds, args.warmup, args.samples = (
            10_000, 10_000, 10.0, 2.0, 100)  # fmt: skip
    work = Path(tempfile.mkdtemp(prefix="crossdock-bench-queue-"))
    results: dict[str, Measured] = {}
    try:
        console.print("SQLite")
        results["SQLite"] = _measure(f"sqlite:///{work / 'queue.db'}", work, args)
        if args.postgres:
            console.print("PostgreSQL")
            with _postgres_database(args.postgres) as url:
                results["PostgreSQL"] = _measure(url, work, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _print_table(results, args.users)
    body = _report(results, args)
    print(body)
    if args.write_results:
        print(f"written to {write_section('bench_queue', body, heading='Work queue endpoint')}")


if __name__ == "__main__":
    main()
