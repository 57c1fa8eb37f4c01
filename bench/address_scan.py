"""Benchmark: the address scan of a 100,000-line export.

Prints medians of several runs for
  baseline  reading the same bytes with Python's csv module and nothing else,
  scan      tenants.domains.scan.scan() on the bytes (detection, matching, grouping),
  upload    the whole page: a multipart upload to /o/<org>/domains/address-scan through
            the Flask app (parsing the upload, scanning, storing the counts, rendering),
and the ratios against the baseline measured in this same run. Also checks that exactly
the planted addresses were reported.

  .venv/bin/python bench/address_scan.py [--lines 100000] [--runs 5]
"""
from __future__ import annotations

import argparse
import csv
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.domains.test_scan import RETIRED, found, planted_list  # noqa: E402


def timed(fn, runs):
    times = []
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def baseline(data: bytes):
    rows = 0
    for _row in csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline=""), delimiter=";"):
        rows += 1
    return rows


def upload_client(data: bytes):
    """A migrated SQLite app with one institution, a privacy officer and a retired domain."""
    from tests.support.services import throwaway_dir, use_instance_dir

    use_instance_dir()
    from flask_migrate import upgrade

    from lekwijzer.app import create_app
    from lekwijzer.db import db
    from tests.domains.conftest import add_domain
    from tests.support.web import WebClient
    from tests.support.world import PASSWORD, build_world

    url = f"sqlite:///{throwaway_dir('lw-bench-db-')}/bench.db"
    app = create_app({"LEKWIJZER_MODE": "test", "SECRET_KEY": "bench-secret-key-long-enough-0000000000",
                      "SQLALCHEMY_DATABASE_URI": url, "DATABASE_OWNER_URL": url,
                      "SQLALCHEMY_BINDS": {"oversight": url}, "JOBS_INLINE": True, "MAIL_BACKEND": "log",
                      "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        upgrade()
        world = build_world()
        db.session.commit()
        org, email = world.orgs["a"], world.user("a", "privacy_officer").email
        db.session.refresh(org)
        db.session.expunge(org)
    for name in sorted(RETIRED):
        add_domain(app, org, name=name, state="retired")
    client = WebClient(app).login(email, PASSWORD)
    client.get("/o/org-a/domains/address-scan")

    def post():
        response = client.post("/o/org-a/domains/address-scan", {
            "file": (io.BytesIO(data), "export.csv"), "system": "Crisistool"}, content_type="multipart/form-data")
        assert response.status_code == 200, response.status_code
        return response.get_data(as_text=True)
    return post


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from tenants.domains.scan import scan

    text, planted = planted_list(args.lines)
    data = text.encode("utf-8")
    print(f"{args.lines} lines, {len(data) / 1e6:.1f} MB, {len(planted)} planted addresses, {args.runs} runs")

    t_base, rows = timed(lambda: baseline(data), args.runs)
    t_scan, result = timed(lambda: scan(io.BytesIO(data), RETIRED), args.runs)
    assert rows == args.lines + 1
    exact = found(result) == planted
    post = upload_client(data)
    t_upload, page = timed(post, args.runs)
    shown = all(address in page for address in planted)

    print(f"baseline (csv.reader only)   median {t_base:6.3f} s")
    print(f"scan()                       median {t_scan:6.3f} s   {t_scan / t_base:5.1f} x baseline")
    print(f"upload through the page      median {t_upload:6.3f} s   {t_upload / t_base:5.1f} x baseline")
    print(f"exactly the planted addresses reported: {exact}; all shown on the page: {shown}")
    if not (exact and shown):
        sys.exit(1)


if __name__ == "__main__":
    main()
