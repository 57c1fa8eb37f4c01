"""Benchmark: reconcile N received notifications against N register entries on PostgreSQL.

    .venv/bin/python bench/reconcile_bench.py [--rows 1000000] [--institutions 1000] [--repeat 3]

Creates a throw-away database (roles and RLS as in production), fills it set-based
(generate_series, as the superuser), then, in the same run and on the same data:

* **job**: the reconciliation as the product runs it (`regulator.reconcile.Reconciler`,
  on the oversight role, under row-level security): dossiers, register entries, three
  matching stages, every finding type of the reconciliation, the merge into kept findings
  with history;
* **bare join**: a hand-written SQL script doing the same matching (dossiers, reference,
  ±24 h and ±48 h + type, mutual nearest, rounds until nothing new) without the product
  around it (no findings, no history, no reviews; superuser, no RLS) — the cost of the
  matching itself.

Before each timed run of either side, every table and index is read into the file cache
(`warm`), so that both start equally warm.

Prints medians and the ratio job / bare join, for the first run (all findings new) and
for a re-run (nothing changed: the steady state), plus the worker's peak RSS before and
after (the job streams nothing into Python: set-based). The nightly job's two other steps
are timed separately and printed beside it: before the reconciliation, the quality refresh
inside each institution's tenant; after it, the register-quality review
(`regulator.review`: quality findings, one review per institution).
"""
from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import uuid
from datetime import date, datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from tests.support.services import PgDatabase, postgres_admin_url, use_instance_dir  # noqa: E402

PERIOD = (date(2025, 1, 1), date(2025, 12, 31))


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def fill(admin_url: str, database: PgDatabase, rows: int, institutions: int, regulator_id: uuid.UUID) -> None:
    """Institutions, register entries, register notifications, received notifications, quality."""
    url = admin_url.rsplit("/", 1)[0] + "/" + database.name
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute("INSERT INTO org (id, kind, name, slug, kvk, employees, clients_per_year, active, created_at) "
                     "VALUES (%s, 'regulator', 'AP', 'ap', '27999999', NULL, NULL, true, now())", (regulator_id,))
        conn.execute(f"""
            INSERT INTO org (id, kind, name, slug, kvk, employees, clients_per_year, active, created_at)
            SELECT gen_random_uuid(), 'institution', 'Instelling ' || i, 'inst-' || i, lpad((30000000 + i)::text, 8, '0'),
                   20 + (i * 37) % 2000, 100 + (i * 53) % 9000, true, now()
            FROM generate_series(1, {institutions}) i""")
        conn.execute("CREATE TEMP TABLE inst AS SELECT row_number() OVER (ORDER BY slug) - 1 AS n, id, kvk "
                     "FROM org WHERE kind = 'institution'")
        # Register entries: aware during 2025; every 20th never notified (low risk).
        conn.execute(f"""
            CREATE TEMP TABLE gen AS
            SELECT i, inst.id AS tenant_id, inst.kvk, gen_random_uuid() AS breach_id,
                   timestamptz '2025-01-01 00:00+00' + ((i::bigint * 7919) % 31000000) * interval '1 second'
                     AS aware_at
            FROM generate_series(1, {rows}) i JOIN inst ON inst.n = i % {institutions}""")
        conn.execute("CREATE INDEX ON gen (i)")
        conn.execute("""
            INSERT INTO breach (tenant_id, id, reference, title, status, created_at, incident_type, cause, nature,
                                measures_in_place, data_categories, subject_categories, impacts, dates_estimated,
                                aware_at, persons_min, persons_max, persons_count_mode, risk_outcome,
                                subject_communication_status, ended_at, what_happened, consequences,
                                severity_band)
            SELECT tenant_id, breach_id, 'DL-' || i, 'Melding', 'closed', aware_at,
                   (ARRAY['sent_by_mistake','mail_misdelivered','phishing_social_engineering',
                          'device_lost_or_stolen','abuse_of_access_by_employee'])[1 + i % 5],
                   'internal_non_malicious', '["confidentiality"]', '[]', '["health"]', '["child_client"]', '[]',
                   false, aware_at, 1, 5, 'approximate', CASE WHEN i % 20 = 0 THEN 'unlikely_risk' ELSE 'risk' END,
                   'not_required_not_high_risk', aware_at + interval '2 hours',
                   'Een medewerker stuurde een e-mail met een verslag naar een verkeerde ontvanger.',
                   'Vertrouwelijkheid geschonden.', 'medium'
            FROM gen""")
        # Mostly complete entries: a board decision, a corrective measure and a reasoned risk
        # assessment each; a few lack the measure (1 in 97) or the reasoning (1 in 89).
        conn.execute("""
            UPDATE breach SET no_notification_reasoning = 'Geen risico voor betrokkenen: versleuteld verzonden.'
            WHERE risk_outcome = 'unlikely_risk'""")
        conn.execute("""
            INSERT INTO decision (tenant_id, id, breach_id, kind, outcome, reasoning, decided_role, decided_at)
            SELECT tenant_id, gen_random_uuid(), breach_id, 'notify_ap', i % 20 <> 0, 'Besluit bestuur.', 'board',
                   aware_at + interval '20 hours' FROM gen""")
        conn.execute("""
            INSERT INTO measure (tenant_id, id, breach_id, kind, title, due_date, status, done_at, created_at)
            SELECT tenant_id, gen_random_uuid(), breach_id, 'corrective', 'Maatregel', (aware_at + interval '7 days')::date,
                   'done', aware_at + interval '2 days', aware_at FROM gen WHERE i % 97 <> 5""")
        conn.execute("""
            INSERT INTO breach_assessment (tenant_id, id, breach_id, version, method, created_at, dpc_base,
                dpc_adjustment, dpc_final, ease_of_identification, cb_confidentiality, cb_integrity,
                cb_availability, cb_malicious, score, band, formula, flag_over_100, flag_unintelligible,
                risk_outcome, risk_reasoning)
            SELECT tenant_id, gen_random_uuid(), breach_id, 1, 'enisa-2013-v1', aware_at, 4, 0, 4, 0.5, 0.25, 0, 0, 0,
                   2.25, 'medium', 'SE = 4 x 0.5 + 0.25', false, false, 'risk',
                   CASE WHEN i % 89 = 3 THEN 'Laag.' ELSE 'Eén cliënt, ontvanger bekend, bevestigd verwijderd.' END
            FROM gen""")
        # The register's notifications: 95 % carry the AP's reference, 2 % an internal number.
        conn.execute("""
            INSERT INTO ap_notification (tenant_id, id, breach_id, kind, sub_type, ap_reference, submitted_at,
                                         payload, created_at)
            SELECT tenant_id, gen_random_uuid(), breach_id, 'initial', 'complete',
                   CASE WHEN i % 50 = 7 THEN 'INTERN-' || i ELSE 'AP-' || i END,
                   aware_at + interval '30 hours', '{}', aware_at + interval '30 hours'
            FROM gen WHERE i % 20 <> 0 AND i % 100 <> 13""")
        conn.execute(f"INSERT INTO intake_batch (tenant_id, id, file_name, file_format, file_sha256, uploaded_at, "
                     f"rows_total, rows_new) VALUES ('{regulator_id}', '{regulator_id}', 'bench', 'csv', 'bench', "
                     f"now(), {rows}, {rows})")
        # What the AP received: every notified entry, a few entries notified but not registered
        # as such (i % 100 = 13: only awareness and type match), a few unknown to the registers.
        conn.execute(f"""
            INSERT INTO received_notification (tenant_id, id, batch_id, row_sha256, ap_reference, kvk, received_at,
                                               kind, aware_at, incident_type, persons_min, persons_max)
            SELECT '{regulator_id}', gen_random_uuid(), '{regulator_id}', md5(i::text), 'AP-' || i, kvk,
                   aware_at + interval '30 hours 5 minutes', 'initial', aware_at,
                   (ARRAY['sent_by_mistake','mail_misdelivered','phishing_social_engineering',
                          'device_lost_or_stolen','abuse_of_access_by_employee'])[1 + i % 5], 1, 5
            FROM gen WHERE i % 20 <> 0 AND i % 250 <> 11""")
        missing = rows - conn.execute("SELECT count(*) FROM received_notification").fetchone()[0]
        conn.execute(f"""
            INSERT INTO received_notification (tenant_id, id, batch_id, row_sha256, ap_reference, kvk, received_at,
                                               kind, aware_at, incident_type, persons_min, persons_max)
            SELECT '{regulator_id}', gen_random_uuid(), '{regulator_id}', md5('x' || i), 'AP-X-' || i, inst.kvk,
                   timestamptz '2025-01-01 00:00+00' + ((i::bigint * 104729) % 31000000) * interval '1 second'
                     + interval '7 hours', 'initial',
                   timestamptz '2025-01-01 00:00+00' + ((i::bigint * 104729) % 31000000) * interval '1 second',
                   'ransomware', 10, 50
            FROM generate_series(1, {missing}) i JOIN inst ON inst.n = i % {institutions}""")
        vacuum(conn, ("breach", "decision", "measure", "breach_assessment", "ap_notification",
                      "received_notification", "org"))


def vacuum(conn, tables) -> None:
    """What autovacuum has long done in a database in use: visibility map and hint bits set,
    statistics gathered. Without it, whichever side first reads the freshly written rows pays
    for setting the hint bits of millions of them (the job's first run, 1-2 s)."""
    for table in tables:
        conn.execute(f"VACUUM (ANALYZE) {table}")


def warm(url: str) -> float:
    """Write out pending changes, then read every table and index of the database into the
    operating system's cache.

    Before each timed run of either side, so that both start equally: machines like these
    page out file cache nobody touched for a minute (DAMON reclaim), and the fill leaves
    gigabytes for the checkpointer to write while the first run would be reading; otherwise
    the job's first run pays for both and the bare join, run after it, for neither."""
    start = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CHECKPOINT")
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        conn.execute("SELECT sum(pg_prewarm(c.oid::regclass, 'read')) FROM pg_class c "
                     "JOIN pg_namespace n ON n.oid = c.relnamespace "
                     "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i', 't')")
    return time.perf_counter() - start


def refresh_quality(app, institution_ids) -> float:
    from tenants.oversight.quality import refresh_institutions

    start = time.perf_counter()
    with app.app_context():
        refresh_institutions(institution_ids)
    return time.perf_counter() - start


def run_job(app, regulator_id) -> tuple[float, float, dict]:
    """The job's reconciliation, then its register-quality review (each timed)."""
    from lekwijzer.db import db, utcnow
    from lekwijzer.tenancy import tenant_scope
    from regulator.models import ReconciliationRun
    from regulator.reconcile import reconcile
    from regulator.review import review

    with app.app_context():
        with tenant_scope(regulator_id):
            run = ReconciliationRun(period_from=PERIOD[0], period_until=PERIOD[1])
            db.session.add(run)
            db.session.flush()
            run_id = run.id
        started = utcnow()
        start = time.perf_counter()
        timings, review_timings = {}, {}
        reconciled = reconcile(regulator_id, run_id, *PERIOD, now=started, timings=timings)
        elapsed = time.perf_counter() - start
        start = time.perf_counter()
        review(regulator_id, run_id, *PERIOD, reconciled, started=started, now=started, timings=review_timings)
        reviewed = time.perf_counter() - start
        print("  reconciliation steps: " + ", ".join(f"{k} {v:.2f}" for k, v in timings.items()))
        print("  review steps: " + ", ".join(f"{k} {v:.2f}" for k, v in review_timings.items()))
        return elapsed, reviewed, reconciled.counts


# The same working tables and indexes as the job (regulator.reconcile: TEMP_INDEXES and
# MATCH_INDEXES), so that neither side pays for an index the other does without.
BARE_SETUP = """
CREATE TEMP TABLE b_dossier ON COMMIT DROP AS
  SELECT row_number() OVER (ORDER BY r.kvk, r.ap_reference) AS id, o.id AS institution_id, r.kvk, r.ap_reference,
         r.first_at AS received_at, r.aware_at, r.incident_type, r.persons_min, r.persons_max, r.withdrawn
  FROM (SELECT kvk, ap_reference, aware_at, incident_type, persons_min, persons_max,
               row_number() OVER w AS pos, min(received_at) OVER (PARTITION BY kvk, ap_reference) AS first_at,
               max(CASE WHEN kind = 'withdrawal' THEN 1 ELSE 0 END) OVER (PARTITION BY kvk, ap_reference) AS withdrawn
        FROM received_notification WHERE tenant_id = %(reg)s
        WINDOW w AS (PARTITION BY kvk, ap_reference
                     ORDER BY CASE WHEN kind = 'withdrawal' THEN 1 ELSE 0 END, received_at DESC)) r
  LEFT JOIN org o ON o.kvk = r.kvk AND o.kind = 'institution' AND o.active
  WHERE r.pos = 1;
CREATE TEMP TABLE b_regnote ON COMMIT DROP AS
  SELECT tenant_id AS institution_id, breach_id,
         coalesce(min(submitted_at) FILTER (WHERE kind = 'initial'), min(submitted_at)) AS notified_at,
         max(CASE WHEN kind = 'withdrawal' THEN 1 ELSE 0 END) AS withdrawn
  FROM ap_notification GROUP BY tenant_id, breach_id;
CREATE UNIQUE INDEX ON b_dossier (id);
CREATE INDEX ON b_regnote (institution_id, notified_at);
ANALYZE b_dossier;
ANALYZE b_regnote;
CREATE TEMP TABLE b_match ON COMMIT DROP AS
  SELECT DISTINCT ON (d.id) d.id AS dossier_id, n.tenant_id AS institution_id, n.breach_id, 'reference' AS method
  FROM b_dossier d JOIN ap_notification n ON n.tenant_id = d.institution_id AND n.ap_reference = d.ap_reference
  ORDER BY d.id, n.breach_id;
CREATE INDEX ON b_match (dossier_id);
CREATE INDEX ON b_match (institution_id, breach_id);
ANALYZE b_match
"""
BARE_TIME = """
INSERT INTO b_match
  SELECT dossier_id, institution_id, breach_id, 'time_window' FROM (
    SELECT c.*, row_number() OVER (PARTITION BY dossier_id ORDER BY dist, institution_id, breach_id) a,
                row_number() OVER (PARTITION BY institution_id, breach_id ORDER BY dist, dossier_id) b
    FROM (SELECT d.id AS dossier_id, r.institution_id, r.breach_id,
                 abs(extract(epoch FROM r.notified_at - d.received_at)) AS dist
          FROM b_dossier d JOIN b_regnote r ON r.institution_id = d.institution_id
            AND r.notified_at BETWEEN d.received_at - interval '24 hours' AND d.received_at + interval '24 hours'
          WHERE NOT EXISTS (SELECT 1 FROM b_match m WHERE m.dossier_id = d.id)
            AND NOT EXISTS (SELECT 1 FROM b_match m WHERE m.institution_id = r.institution_id
                            AND m.breach_id = r.breach_id)) c) x
  WHERE a = 1 AND b = 1
"""
BARE_AWARE = """
INSERT INTO b_match
  SELECT dossier_id, institution_id, breach_id, 'awareness_type' FROM (
    SELECT c.*, row_number() OVER (PARTITION BY dossier_id ORDER BY dist, institution_id, breach_id) a,
                row_number() OVER (PARTITION BY institution_id, breach_id ORDER BY dist, dossier_id) b
    FROM (SELECT d.id AS dossier_id, b.tenant_id AS institution_id, b.id AS breach_id,
                 abs(extract(epoch FROM b.aware_at - d.aware_at)) AS dist
          FROM b_dossier d JOIN breach b ON b.tenant_id = d.institution_id AND b.incident_type = d.incident_type
            AND b.aware_at BETWEEN d.aware_at - interval '48 hours' AND d.aware_at + interval '48 hours'
          WHERE NOT EXISTS (SELECT 1 FROM b_match m WHERE m.dossier_id = d.id)
            AND NOT EXISTS (SELECT 1 FROM b_match m WHERE m.institution_id = b.tenant_id AND m.breach_id = b.id)) c) x
  WHERE a = 1 AND b = 1
"""
BARE_RESULT = """
SELECT count(*) FILTER (WHERE method = 'reference'), count(*) FILTER (WHERE method = 'time_window'),
       count(*) FILTER (WHERE method = 'awareness_type'),
       (SELECT count(*) FROM b_dossier d WHERE institution_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM b_match m WHERE m.dossier_id = d.id)),
       (SELECT count(*) FROM b_regnote r WHERE NOT EXISTS (SELECT 1 FROM b_match m
          WHERE m.institution_id = r.institution_id AND m.breach_id = r.breach_id))
FROM b_match
"""


def run_bare(url: str, regulator_id) -> tuple[float, tuple]:
    from regulator.findings import session_settings
    from regulator.reconcile import MAX_ROUNDS

    with psycopg.connect(url) as conn:
        start = time.perf_counter()
        cur = conn.cursor()
        for statement in session_settings():  # the job's own settings, so the times compare
            cur.execute(statement)
        for statement in [s.strip() for s in BARE_SETUP.split(";") if s.strip()]:
            cur.execute(statement, {"reg": regulator_id} if "%(reg)s" in statement else None)
        for stage in (BARE_TIME, BARE_AWARE):
            for _ in range(MAX_ROUNDS):
                cur.execute(stage)
                if not cur.rowcount:
                    break
        cur.execute(BARE_RESULT)
        result = cur.fetchone()
        conn.commit()
        return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--institutions", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="do not drop the database afterwards")
    parser.add_argument("--reuse", metavar="DATABASE", help="run again on a database kept with --keep")
    parser.add_argument("--set", metavar="NAME=VALUE", action="append", default=[],
                        help="an extra setting for both the job and the bare join (e.g. work_mem=64MB)")
    args = parser.parse_args()
    from regulator.findings import SESSION_SETTINGS

    for item in args.set:  # the same dict the job and run_bare read: both get the setting
        name, _, value = item.partition("=")
        SESSION_SETTINGS[name.strip()] = value.strip()
    print("settings for both:", ", ".join(f"{k} = {v}" for k, v in SESSION_SETTINGS.items()))
    use_instance_dir()

    admin_url, stop = postgres_admin_url()
    if args.reuse:
        database = PgDatabase(admin_url)
        database.name = args.reuse
        database.owner, database.app_role, database.oversight_role = (
            f"{args.reuse}_owner", f"{args.reuse}_app", f"{args.reuse}_ovs")
        with psycopg.connect(admin_url, autocommit=True) as conn:
            for role in (database.owner, database.app_role, database.oversight_role):
                conn.execute(f"ALTER ROLE \"{role}\" PASSWORD '{database.password}'")
    else:
        database = PgDatabase(admin_url).create()
    try:
        from flask_migrate import upgrade

        from lekwijzer.app import create_app

        config = {**database.config(), "LEKWIJZER_MODE": "test", "SECRET_KEY": "bench-" + "x" * 40,
                  "JOBS_INLINE": True, "MAIL_BACKEND": "log", "RATELIMIT_STORAGE_URI": "memory://"}
        app = create_app(config)
        with app.app_context():  # also on a kept database: new migrations, policies and grants
            upgrade()
        superuser_db = admin_url.rsplit("/", 1)[0] + "/" + database.name
        if args.reuse:
            with psycopg.connect(superuser_db) as conn:
                regulator_id = conn.execute("SELECT id FROM org WHERE slug = 'ap'").fetchone()[0]
                print(f"reusing {args.reuse}: {conn.execute('SELECT count(*) FROM breach').fetchone()[0]:,} entries")
                # Start from no findings, so that the first run is a first run again.
                for table in ("reconciliation_finding", "institution_review", "reconciliation_run"):
                    conn.execute(f"DELETE FROM {table}")
                conn.commit()
            with psycopg.connect(superuser_db, autocommit=True) as conn:
                for table in ("reconciliation_finding", "institution_review", "reconciliation_run"):
                    conn.execute(f"VACUUM (FULL, ANALYZE) {table}")
        else:
            regulator_id = uuid.uuid4()
            t0 = time.perf_counter()
            fill(admin_url, database, args.rows, args.institutions, regulator_id)
            print(f"filled {args.rows:,} register entries and ~{args.rows:,} received notifications "
                  f"for {args.institutions:,} institutions in {time.perf_counter() - t0:.1f} s")
            with psycopg.connect(superuser_db) as conn:
                institution_ids = [r[0] for r in conn.execute("SELECT id FROM org WHERE kind = 'institution'")]
            q = refresh_quality(app, institution_ids)
            print(f"quality refresh (per institution, in its own tenant): {q:.1f} s "
                  f"({q / len(institution_ids) * 1000:.0f} ms per institution)")
            with psycopg.connect(superuser_db, autocommit=True) as conn:
                vacuum(conn, ("breach_quality",))

        rss_before = rss_mb()
        warmed = [warm(superuser_db)]
        first, first_review, counts = run_job(app, regulator_id)
        rss_first = rss_mb()
        bare_times, job_times, review_times = [], [], []
        bare_result = None
        for _ in range(args.repeat):
            warmed.append(warm(superuser_db))
            t, bare_result = run_bare(superuser_db, regulator_id)
            bare_times.append(t)
            warmed.append(warm(superuser_db))
            t, r, _counts = run_job(app, regulator_id)
            job_times.append(t)
            review_times.append(r)
        rss_after = rss_mb()
        bare, job, again = statistics.median(bare_times), statistics.median(job_times), statistics.median(review_times)
        print(f"matches (bare join): reference {bare_result[0]:,}, time window {bare_result[1]:,}, "
              f"awareness+type {bare_result[2]:,}; AP only {bare_result[3]:,}; register only {bare_result[4]:,}")
        print("findings (job):", ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())))
        print(f"before each run, a checkpoint and every table and index read into the file cache "
              f"(median {statistics.median(warmed):.1f} s, not timed)")
        print("each run (s): bare join " + ", ".join(f"{t:.2f}" for t in bare_times)
              + "; job " + ", ".join(f"{t:.2f}" for t in job_times))
        print(f"bare SQL join, median of {args.repeat}:          {bare:8.2f} s")
        print(f"reconciliation job, first run (all new):   {first:8.2f} s   ratio {first / bare:5.2f}")
        print(f"reconciliation job, re-runs, median of {args.repeat}: {job:8.2f} s   ratio {job / bare:5.2f}")
        print(f"register-quality review, the job's next step (not reconciliation; not in the ratio): "
              f"first run {first_review:.2f} s, re-runs {again:.2f} s")
        both = statistics.median(t + r for t, r in zip(job_times, review_times))
        print(f"  reconciliation and review together: first run {first + first_review:.2f} s "
              f"({(first + first_review) / bare:.2f} x the bare join), re-runs {both:.2f} s ({both / bare:.2f} x)")
        print(f"worker peak RSS: {rss_before:.0f} MB before, {rss_first:.0f} MB after the first run, "
              f"{rss_after:.0f} MB after all runs")
    finally:
        if args.keep or args.reuse:
            print(f"kept database {database.name} (drop it with: psql -c 'DROP DATABASE \"{database.name}\" "
                  "WITH (FORCE)' and its three roles)")
        else:
            database.drop()
        if stop:
            stop()


if __name__ == "__main__":
    main()
