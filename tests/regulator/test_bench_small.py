"""The benchmark's data at test size: the reconciliation job matches exactly what the bare SQL
join matches, stage by stage (the benchmark compares their times; this proves they do the same work)."""
from __future__ import annotations

import importlib.util
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.pg


def _bench():
    path = Path(__file__).resolve().parents[2] / "bench" / "reconcile_bench.py"
    spec = importlib.util.spec_from_file_location("reconcile_bench", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_job_and_the_bare_join_agree_on_every_match(pg_app, pg_database, pg_admin_url):
    bench = _bench()
    regulator_id = uuid.uuid4()
    bench.fill(pg_admin_url, pg_database, 3000, 30, regulator_id)
    superuser = pg_admin_url.rsplit("/", 1)[0] + "/" + pg_database.name
    import psycopg

    with psycopg.connect(superuser) as conn:
        institutions = [r[0] for r in conn.execute("SELECT id FROM org WHERE kind = 'institution'")]
    bench.refresh_quality(pg_app, institutions)
    _seconds, _review_seconds, counts = bench.run_job(pg_app, regulator_id)
    _seconds, (by_reference, by_time, by_awareness, ap_only, register_only) = bench.run_bare(superuser, regulator_id)
    assert by_time > 0 and by_awareness > 0 and ap_only > 0 and register_only > 0  # every path is exercised
    assert counts["matched"] == by_reference + by_time + by_awareness
    with psycopg.connect(superuser) as conn:
        by_method = dict(conn.execute("SELECT match_method, sum(notifications) FROM reconciliation_finding "
                                      "WHERE kind = 'matched' GROUP BY match_method").fetchall())
    assert by_method == {"reference": by_reference, "time_window": by_time, "awareness_type": by_awareness}
    assert counts["ap_received_but_not_in_register"] == ap_only
    assert counts["register_says_notified_but_ap_missing"] == register_only
