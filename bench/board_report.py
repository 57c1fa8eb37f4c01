#!/usr/bin/env python3
"""Benchmark: the board report (PDF) for the largest demo institution.

    .venv/bin/python bench/board_report.py [--runs 5] [--db /tmp/lekwijzer-bench.db]

Seeds the demo into a SQLite file once (kept for later runs; report jobs are left in the
outbox so seeding stays quick), then generates the board report for the institution with
the most breaches: the same steps as the `learning.board_report` job (frozen figures,
the four charts, HTML, WeasyPrint). Prints the median of each step over the runs, and,
as a baseline measured in the same run on the same machine, the median time WeasyPrint
needs for a one-page PDF with a small table; the ratio says how much heavier the report is.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_app(db_path: Path):
    from tests.support.services import use_instance_dir

    use_instance_dir()
    from lekwijzer.app import create_app

    url = f"sqlite:///{db_path}"
    return create_app({
        "SQLALCHEMY_DATABASE_URI": url, "DATABASE_OWNER_URL": url, "SQLALCHEMY_BINDS": {"oversight": url},
        # Nothing listens on port 1: the demo's report jobs wait in the outbox instead of rendering now.
        "JOBS_INLINE": False, "REDIS_URL": "redis://127.0.0.1:1/0", "MAIL_BACKEND": "log",
    })


def seed(app, db_path: Path) -> None:
    from flask_migrate import upgrade

    from lekwijzer.demo import seed as demo_seed

    with app.app_context():
        upgrade()
        t = time.perf_counter()
        demo_seed()
        print(f"demo seeded in {time.perf_counter() - t:.1f} s into {db_path}")


def baseline_pdf() -> float:
    from weasyprint import HTML

    rows = "".join(f"<tr><td>Regel {i}</td><td>{i * 7}</td></tr>" for i in range(10))
    t = time.perf_counter()
    HTML(string=f"<h1>Baseline</h1><table>{rows}</table>").write_pdf()
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", default=str(Path(tempfile.gettempdir()) / "lekwijzer-bench.db"))
    args = parser.parse_args()
    db_path = Path(args.db)
    import logging

    logging.disable(logging.WARNING)  # the outbox warns for every job it cannot hand to Redis
    app = make_app(db_path)
    if not db_path.exists():
        seed(app, db_path)

    import sqlalchemy as sa
    from flask_babel import force_locale

    from lekwijzer.db import db
    from lekwijzer.models import Org, OrgKind
    from lekwijzer.tenancy import tenant_scope
    from tenants.learning import reports
    from tenants.learning.models import BoardReport
    from tenants.learning.periods import default_period
    from tenants.register.models import Breach

    with app.app_context(), app.test_request_context():
        sizes = {}
        for org in db.session.scalars(sa.select(Org).where(Org.kind == OrgKind.institution)).all():
            with tenant_scope(org.id):
                sizes[org] = db.session.scalar(sa.select(sa.func.count()).select_from(Breach))
        org = max(sizes, key=sizes.get)
        print(f"largest institution: {org.name} ({sizes[org]} breaches)")
        period = default_period()
        steps = {"snapshot": [], "charts": [], "html": [], "pdf": [], "total": []}
        for _ in range(2):
            baseline_pdf()  # warm WeasyPrint's caches before measuring the baseline
        base = []
        size = 0
        for run in range(args.runs + 1):
            with tenant_scope(org.id):
                report = BoardReport(period_start=period.start, period_end=period.last_day, compare_periods=1,
                                     language="nl", snapshot={"include_names": False})
                db.session.add(report)
                db.session.flush()
                with force_locale("nl"):
                    t0 = time.perf_counter()
                    snapshot = reports.build_snapshot(report)
                    t1 = time.perf_counter()
                    images = reports.chart_images(snapshot)
                    t2 = time.perf_counter()
                    html = reports.render_html(report, snapshot, images)
                    t3 = time.perf_counter()
                    pdf = reports.render_pdf(html)
                    t4 = time.perf_counter()
                size = len(pdf)
                db.session.rollback()
            base.append(baseline_pdf())
            if run == 0:
                continue  # the first run imports matplotlib and WeasyPrint: not counted
            for key, value in zip(steps, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0)):
                steps[key].append(value)
        med = {k: statistics.median(v) for k, v in steps.items()}
        base_med = statistics.median(base[1:])
        print(f"runs: {args.runs} (after one warm-up run); PDF {size / 1024:.0f} kB")
        for key in steps:
            print(f"  median {key:9} {med[key]:6.2f} s   (min {min(steps[key]):.2f}, max {max(steps[key]):.2f})")
        print(f"baseline: one-page WeasyPrint PDF, median {base_med:.3f} s")
        print(f"ratio report / baseline: {med['total'] / base_med:.1f}x")
        try:
            print(f"machine load (1 min): {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        except OSError:
            pass


if __name__ == "__main__":
    main()
