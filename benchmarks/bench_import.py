"""Demo generation and import throughput, against the raw driver as a same-run baseline.

    python benchmarks/bench_import.py [--skus 20000] [--warehouses 5] [--days 730]
                                      [--postgres URL] [--write-results]

Measures, at the given scale (default 100k item-locations):
  1. `crossdock demo` end to end on SQLite: generate, validate, load (the 2-minute target);
  2. `crossdock import` of the same network from Parquet files on SQLite;
  3. the same import on PostgreSQL when `--postgres` names an admin URL;
  4. the baseline: the SQLite driver alone inserting the same demand rows as ready-made
     tuples (no reading, no validation). Ratios say what Crossdock's checks and
     conversions cost over the floor.
Results print as a table and, with --write-results, replace the section of
benchmarks/RESULTS.md between this script's markers.
"""

from __future__ import annotations

import argparse
import platform
import resource
import shutil
import sqlite3
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from crossdock.bootstrap import bootstrap
from crossdock.config import Settings
from crossdock.demo import DemoOptions, generate_demo_network
from crossdock.service_layer.demo import load_demo_network
from crossdock.service_layer.importing import import_sources
from results_file import write_section

END_DATE = date(2026, 11, 20)
AS_OF = datetime(2026, 11, 21, 12, tzinfo=UTC)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(label: str, action):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - started
    print(f"  {label}: {seconds:.1f} s")
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=20_000)
    parser.add_argument("--warehouses", type=int, default=5)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument(
        "--postgres", help="admin URL, e.g. postgresql+psycopg://postgres@127.0.0.1/postgres"
    )
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args()
    options = DemoOptions(
        skus=args.skus, warehouses=args.warehouses, days=args.days, seed=42, end_date=END_DATE
    )
    item_locations = args.skus * args.warehouses
    work = Path(tempfile.mkdtemp(prefix="crossdock-bench-"))
    rows: list[tuple[str, str, str]] = []
    try:
        print(f"scale: {item_locations:,} item-locations x {args.days} days")

        # 1. demo end to end on SQLite
        wired = bootstrap(Settings(database_url=f"sqlite:///{work / 'demo.db'}"))
        wired.migrate()
        outcome, demo_seconds = _timed(
            "crossdock demo (generate + validate + load, SQLite)",
            lambda: load_demo_network(options, store=wired.store),
        )
        demo_peak = _peak_rss_mb()
        totals = outcome.report.to_dict()["totals"]
        demand_rows = outcome.report.to_dict()["entities"]["demand_history"]["rows_accepted"]
        rows.append(
            (
                "demo end to end, SQLite",
                f"{demo_seconds:.1f} s",
                (
                    f"{item_locations / demo_seconds:,.0f} item-locations/s; "
                    f"{totals['rows_accepted'] / demo_seconds:,.0f} rows/s; "
                    f"{totals['rows_quarantined']} quarantined"
                ),
            )
        )

        # generation alone, for the split
        frames, generate_seconds = _timed(
            "generation alone", lambda: generate_demo_network(options)
        )
        rows.append(
            (
                "of which generation",
                f"{generate_seconds:.1f} s",
                f"{item_locations / generate_seconds:,.0f} item-locations/s",
            )
        )

        # 2. import of the same network from Parquet files
        folder = work / "export"
        folder.mkdir()
        for name, frame in frames.items():
            frame.to_parquet(folder / f"{name}.parquet", index=False)
        del frames
        target = bootstrap(Settings(database_url=f"sqlite:///{work / 'import.db'}"))
        target.migrate()

        def run_import(crossdock):  # type: ignore[no-untyped-def]
            sources, _ = crossdock.read_sources(folder)
            return import_sources(
                sources, store=crossdock.store, kind="import", description=str(folder), as_of=AS_OF
            )

        imported, import_seconds = _timed(
            "crossdock import (Parquet -> SQLite)", lambda: run_import(target)
        )
        read = imported.report.to_dict()["totals"]["rows_read"]
        import_rate = read / import_seconds
        rows.append(
            (
                "import Parquet -> SQLite",
                f"{import_seconds:.1f} s",
                f"{import_rate:,.0f} rows/s ({read:,} rows)",
            )
        )
        import_peak = _peak_rss_mb()
        _, reimport_seconds = _timed("re-import, same files (upsert)", lambda: run_import(target))
        rows.append(
            (
                "re-import, same files (upsert)",
                f"{reimport_seconds:.1f} s",
                f"{read / reimport_seconds:,.0f} rows/s",
            )
        )

        # 3. PostgreSQL
        if args.postgres:
            name = f"crossdock_bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                url = (
                    make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
                )
                postgres = bootstrap(Settings(database_url=url))
                postgres.migrate()
                _, pg_seconds = _timed(
                    "crossdock import (Parquet -> PostgreSQL)", lambda: run_import(postgres)
                )
                rows.append(
                    (
                        "import Parquet -> PostgreSQL",
                        f"{pg_seconds:.1f} s",
                        f"{read / pg_seconds:,.0f} rows/s",
                    )
                )
                postgres.engine.dispose()
            finally:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

        # 4. baseline: the driver alone, same demand rows as tuples
        baseline_rate = _driver_baseline(work / "import.db", work / "baseline.db")
        rows.append(
            ("baseline: sqlite3 executemany of demand tuples", "", f"{baseline_rate:,.0f} rows/s")
        )
        rows.append(("ratio import / baseline", "", f"{import_rate / baseline_rate:.2f}x"))
        rows.append(("demand_history rows", "", f"{demand_rows:,}"))
        rows.append(("peak memory (RSS) after the demo load", "", f"{demo_peak:,.0f} MB"))
        rows.append(
            ("peak memory (RSS) after generation + Parquet import", "", f"{import_peak:,.0f} MB")
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    table = ["| measurement | time | throughput |", "|---|---|---|"]
    table += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    print("\n".join(table))
    if args.write_results:
        _write_results(args, table)


def _driver_baseline(source_db: Path, baseline_db: Path) -> float:
    """Rows/s of plain executemany inserts of the demand rows as ready-made tuples.

    Rows are read back from the imported database in chunks; only the inserts are timed.
    """
    source = sqlite3.connect(source_db)
    cursor = source.execute(
        "SELECT sku, location_code, demand_date, quantity, unit_price, on_promotion, uom, "
        "import_run_id FROM demand_history"
    )
    target = sqlite3.connect(baseline_db)
    target.execute("PRAGMA journal_mode=WAL")
    target.execute("PRAGMA synchronous=NORMAL")
    target.execute(
        "CREATE TABLE demand_history (sku VARCHAR NOT NULL, location_code VARCHAR NOT NULL, "
        "demand_date DATE NOT NULL, quantity FLOAT NOT NULL, unit_price NUMERIC(18, 4), "
        "on_promotion BOOLEAN, uom VARCHAR, import_run_id INTEGER, "
        "PRIMARY KEY (sku, location_code, demand_date)) WITHOUT ROWID"
    )
    inserted, seconds = 0, 0.0
    while chunk := cursor.fetchmany(500_000):
        started = time.perf_counter()
        target.executemany("INSERT INTO demand_history VALUES (?,?,?,?,?,?,?,?)", chunk)
        seconds += time.perf_counter() - started
        inserted += len(chunk)
    started = time.perf_counter()
    target.commit()
    seconds += time.perf_counter() - started
    target.close()
    source.close()
    print(f"  baseline driver insert: {seconds:.1f} s for {inserted:,} rows")
    return inserted / seconds


def _write_results(args: argparse.Namespace, table: list[str]) -> None:
    header = (
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {platform.node() or 'this machine'} "
        f"({platform.machine()}, Python {platform.python_version()}), "
        f"`python benchmarks/bench_import.py --skus {args.skus} "
        f"--warehouses {args.warehouses} --days {args.days}"
        f"{' --postgres ...' if args.postgres else ''}`:"
    )
    path = write_section(
        "bench_import", "\n".join([header, "", *table]), heading="Demo generation and import"
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
