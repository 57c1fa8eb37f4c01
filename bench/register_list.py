#!/usr/bin/env python3
"""How the breach register list scales: median page time at 10,000 breaches against 100.

Runs against a throwaway PostgreSQL database (the app's non-owner role, row-level security
on, migrations applied) on the machine's server, or with --sqlite against a temp file.
Institution A holds 10,000 breaches, institution B 100; the same requests are timed for
both, in the same run, and the ratio printed. A ratio near 1 means the list does not slow
down with the size of the register (filtering, sorting, counting and paging in SQL).

    .venv/bin/python bench/register_list.py [--repeat 15] [--sqlite] [--no-analyze]

--no-analyze leaves the tables without statistics, as right after a bulk import before
autovacuum has run (the application role may not ANALYZE): the queries must not depend on
the planner guessing the sizes right.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CASES = [
    ("page 1, newest first", "/o/{org}/register"),
    ("filter: overdue", "/o/{org}/register?overdue=1"),
    ("filter: open, type, band", "/o/{org}/register?status=open&incident_type=sent_by_mistake&band=high"),
    ("search in reference/title", "/o/{org}/register?q=phishing"),
    ("sort by severity", "/o/{org}/register?sort=severity&order=desc"),
    ("sort by AP notification", "/o/{org}/register?sort=notified&order=desc"),
    ("last page (deep offset)", "/o/{org}/register?page={last}"),
    ("API, 100 per page", "/api/v1/register?page_size=100&status=open"),
    ("API figures", "/api/v1/register/figures"),
]


def make_app(args):
    from tests.support.services import throwaway_dir, use_instance_dir

    use_instance_dir()
    from lekwijzer.app import create_app

    base = {"LEKWIJZER_MODE": "test", "SECRET_KEY": "bench-secret-key-that-is-long-enough-0000",
            "JOBS_INLINE": True, "MAIL_BACKEND": "log", "RATELIMIT_STORAGE_URI": "memory://", "SERVER_NAME": None}
    if args.sqlite:
        path = throwaway_dir("lw-bench-db-") / "bench.db"
        url = f"sqlite:///{path}"
        return create_app({**base, "SQLALCHEMY_DATABASE_URI": url, "DATABASE_OWNER_URL": url,
                           "SQLALCHEMY_BINDS": {"oversight": url}}), None
    from tests.support import services

    admin_url, _stop = services.postgres_admin_url()
    database = services.PgDatabase(admin_url).create()
    return create_app({**base, **database.config()}), database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--sqlite", action="store_true", help="use SQLite instead of PostgreSQL")
    parser.add_argument("--large", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--no-analyze", action="store_true", help="no fresh statistics after the bulk load")
    args = parser.parse_args()

    app, database = make_app(args)
    try:
        run(app, args)
    finally:
        if database is not None:
            from lekwijzer.db import db

            with app.app_context():
                db.session.remove()
                for engine in db.engines.values():
                    engine.dispose()
            database.drop()


def run(app, args) -> None:
    from flask_migrate import upgrade

    from lekwijzer.db import db, utcnow
    from lekwijzer.tenancy import tenant_scope
    from tests.support import bulk_register
    from tests.support.web import ApiClient, WebClient
    from tests.support.world import PASSWORD, build_world

    with app.app_context():
        upgrade()
        world = build_world()
        db.session.commit()
        sizes = {"a": args.large, "b": args.small}
        started = time.monotonic()
        for key, n in sizes.items():
            with tenant_scope(world.orgs[key].id):
                bulk_register.fill(world.orgs[key].id, n, now=utcnow(), seed=len(key) + n, not_breach=n // 50)
        seeded = time.monotonic() - started
        if db.engine.dialect.name == "postgresql" and not args.no_analyze:
            # Fresh statistics, as autovacuum keeps them in production (only the owner may ANALYZE).
            import sqlalchemy as sa

            owner = sa.create_engine(app.config["DATABASE_OWNER_URL"], isolation_level="AUTOCOMMIT")
            with owner.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
            owner.dispose()
        tokens = {key: world.token(key, "privacy_officer") for key in sizes}
        db.session.commit()
        users = {key: world.user(key, "privacy_officer").email for key in sizes}
        slugs = {key: world.orgs[key].slug for key in sizes}
    print(f"database: {'SQLite' if args.sqlite else 'PostgreSQL (app role, RLS on)'}"
          f"{', no statistics (no ANALYZE)' if args.no_analyze and not args.sqlite else ''}; "
          f"seeded {args.large} + {args.small} breaches in {seeded:.1f} s; {args.repeat} runs per case\n")

    clients = {key: WebClient(app).login(users[key], PASSWORD) for key in sizes}
    apis = {key: ApiClient(app, tokens[key]) for key in sizes}
    last = {key: max(1, -(-n // 25)) for key, n in sizes.items()}
    print(f"{'case':<30} {'median ' + str(args.small):>12} {'median ' + str(args.large):>13} {'ratio':>7}")
    ratios = []
    for label, template in CASES:
        medians = {}
        for key in ("b", "a"):
            url = template.format(org=slugs[key], last=last[key])
            client = apis[key] if url.startswith("/api/") else clients[key]
            client.get(url)  # warm up (statement cache, pages)
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - t0)
                assert response.status_code == 200, (url, response.status_code)
            medians[key] = statistics.median(times)
        ratio = medians["a"] / medians["b"]
        ratios.append(ratio)
        print(f"{label:<30} {medians['b'] * 1000:>9.1f} ms {medians['a'] * 1000:>10.1f} ms {ratio:>6.2f}x")
    print(f"\nmedian ratio over all cases: {statistics.median(ratios):.2f}x "
          f"(time at {args.large} breaches / time at {args.small})")


if __name__ == "__main__":
    main()
