"""The board report: generated as a job with visible progress, stored in the database, signed off."""
from __future__ import annotations

import base64
import random
import re
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from lekwijzer.db import db
from tests.conftest import ARTIFACTS
from tests.learning.conftest import audit_actions
from tests.learning.factory import seed_history

REPORTS = "/o/org-a/learning/reports"


@pytest.fixture
def history(app, world, in_tenant):
    with in_tenant():
        seed_history(random.Random(5), datetime(2024, 1, 1, tzinfo=timezone.utc), months=30)
    return world


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True)
    return out.stdout


def _ask(c, period="2025-H2", compare="1"):
    r = c.post(REPORTS, {"period": period, "compare": compare})
    assert r.status_code == 302, r.get_data(as_text=True)[:300]
    return r.headers["Location"]


def test_the_report_holds_the_period_figures_and_charts(app, history, client_on, in_tenant, tmp_path):
    from tenants.learning import analysis
    from tenants.learning.models import BoardReport
    from tenants.learning.periods import Period

    c = client_on("a", "privacy_officer", REPORTS)
    url = _ask(c)
    page = c.get(url).get_data(as_text=True)
    assert "PDF openen" in page and 'http-equiv="refresh"' not in page
    pdf = c.get(url + "/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    text = _pdf_text(pdf.data, tmp_path)
    with in_tenant():
        a = analysis.analyse(Period.parse_key("2025-H2"), 1, today=analysis.today_local() if hasattr(analysis, "today_local") else None)
        report = db.session.scalar(sa.select(BoardReport))
        assert report.status == "ready" and report.pdf_size == len(pdf.data)
        frozen = report.snapshot["analysis"]["periods"][0]["figures"]
    cur = a["periods"][0]["figures"]
    assert frozen == cur
    flat = " ".join(text.split())
    assert "Bestuursrapportage datalekken" in flat and "Instelling A" in flat and "tweede halfjaar 2025" in flat
    assert f"{cur['total']} datalekken geregistreerd" in flat
    assert f"{cur['notified_ap']} gemeld bij de AP" in flat
    assert f"{cur['notified_ap_late']} te laat gemeld" in flat
    # Text that exists only inside the charts (titles and axis labels drawn by matplotlib).
    for chart_text in ("Datalekken per periode, naar ernst", "Meest voorkomende typen datalek",
                       "Meldingen per periode", "Maatregelen per periode", "Aantal datalekken"):
        assert chart_text in flat, chart_text
    # A page of it as an image, kept with the screenshots (and looked at).
    out = ARTIFACTS / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    (tmp_path / "r.pdf").write_bytes(pdf.data)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "3", str(tmp_path / "r.pdf"),
                    str(out / "board-report-pdf")], check=True)
    assert (out / "board-report-pdf-1.png").stat().st_size > 20_000


def test_the_page_and_the_pdf_show_the_same_charts(app, history, client_on, in_tenant):
    from tenants.learning import reports
    from tenants.learning.models import BoardReport

    c = client_on("a", "privacy_officer", REPORTS)
    _ask(c, compare="3")
    with in_tenant():
        report = db.session.scalar(sa.select(BoardReport))
        with app.test_request_context():
            from flask_babel import force_locale

            with force_locale("nl"):
                html = reports.render_html(report, report.snapshot)
    embedded = {base64.b64decode(m).decode() for m in re.findall(r'data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)', html)}
    assert len(embedded) == 4
    for chart in ("trend", "types", "notifications", "measures"):
        svg = c.get(f"/o/org-a/learning/charts/{chart}.svg?period=2025-H2&compare=3")
        assert svg.mimetype == "image/svg+xml"
        assert svg.get_data(as_text=True) in embedded, chart
    page = c.get("/o/org-a/learning/?period=2025-H2&compare=3").get_data(as_text=True)
    for chart in ("trend", "types", "notifications", "measures"):
        assert f'src="/o/org-a/learning/charts/{chart}.svg?period=2025-H2&amp;compare=3"' in page
    assert page.count('alt="Staafdiagram') == 4


def test_board_sign_off_is_recorded_audited_and_printed(app, history, client_on, in_tenant, tmp_path):
    from tenants.learning.models import BoardReport

    po = client_on("a", "privacy_officer", REPORTS)
    url = _ask(po)
    assert po.post(url + "/sign-off", {"confirm": "1"}).status_code == 403  # only the board signs
    board = client_on("a", "board", url)
    r = board.post(url + "/sign-off", {"confirm__present": "1"})
    assert r.status_code == 422  # not confirmed
    with in_tenant():
        draft_sha = db.session.scalar(sa.select(BoardReport.pdf_sha256))
    assert board.post(url + "/sign-off", {"confirm": "1", "note": "Besproken in de RvB van 12 maart"}).status_code == 302
    with in_tenant():
        report = db.session.scalar(sa.select(BoardReport))
        assert report.signed_by == world_user_id(history, "board") and report.signed_at is not None
        assert report.signed_sha256 == draft_sha and report.pdf_includes_signoff and report.pdf_sha256 != draft_sha
        assert "board_report.signed" in audit_actions()
    assert board.post(url + "/sign-off", {"confirm": "1"}).status_code == 422  # once
    text = " ".join(_pdf_text(board.get(url + "/pdf").data, tmp_path).split())
    assert "Namens het bestuur vastgesteld door Board A" in text and draft_sha in text.replace(" ", "")
    page = board.get(url).get_data(as_text=True)
    assert "Vastgesteld" in page and "Board A" in page
    assert "nodig" not in board.get("/o/org-a/").get_data(as_text=True).split("Leren van datalekken")[1][:600]


def world_user_id(world, role):
    return world.user("a", role).id


def test_generation_runs_as_a_job_and_the_page_shows_its_progress(app, history, client_on, in_tenant,
                                                                  redis_url, queue_name):
    from rq import SimpleWorker

    from lekwijzer.jobs.queue import get_queue, redis_connection
    from lekwijzer.models import OutboxJob
    from tenants.learning.models import BoardReport

    app.config.update(JOBS_INLINE=False, REDIS_URL=redis_url, JOBS_QUEUE=queue_name)
    c = client_on("a", "privacy_officer", REPORTS)
    url = _ask(c)
    page = c.get(url).get_data(as_text=True)
    assert "De rapportage wordt opgesteld" in page and 'http-equiv="refresh"' in page and 'value="0"' in page
    with app.app_context():
        row = db.session.scalar(sa.select(OutboxJob).where(OutboxJob.job == "learning.board_report"))
        row.progress = 55  # what the job reports half-way
        db.session.commit()
    assert 'value="55"' in c.get(url).get_data(as_text=True)
    with app.app_context():
        SimpleWorker([get_queue()], connection=redis_connection()).work(burst=True)
        row = db.session.scalar(sa.select(OutboxJob).where(OutboxJob.job == "learning.board_report"))
        assert row.done_at is not None and row.progress == 100
    page = c.get(url).get_data(as_text=True)
    assert "PDF openen" in page and 'http-equiv="refresh"' not in page
    with in_tenant():
        assert db.session.scalar(sa.select(BoardReport.status)) == "ready"
    # The job can be delivered twice without a second PDF.
    with app.app_context():
        from lekwijzer.tenancy import tenant_scope
        from tenants.learning.reports import generate

        with tenant_scope(history.orgs["a"].id):
            before = db.session.scalar(sa.select(BoardReport.generated_at))
            generate(str(db.session.scalar(sa.select(BoardReport.id))))
            assert db.session.scalar(sa.select(BoardReport.generated_at)) == before


def test_reports_are_stored_in_the_database_not_on_disk(app, history, client_on, in_tenant, tmp_path, monkeypatch):
    """Any process can serve the PDF: it is in the row, and nothing was written to the instance folder."""
    from tenants.learning.models import BoardReport

    before = set(Path(app.instance_path).rglob("*")) if Path(app.instance_path).exists() else set()
    c = client_on("a", "privacy_officer", REPORTS)
    _ask(c)
    with in_tenant():
        from sqlalchemy.orm import undefer

        report = db.session.scalar(sa.select(BoardReport).options(undefer(BoardReport.pdf)))
        assert report.pdf.startswith(b"%PDF")
    after = set(Path(app.instance_path).rglob("*")) if Path(app.instance_path).exists() else set()
    assert not [p for p in after - before if p.suffix == ".pdf"]


def test_the_api_asks_for_and_serves_reports(app, history, api):
    client = api(app, history, "a", "privacy_officer")
    r = client.post("/api/v1/learning/reports", json={"period": "2025-H2", "compare": 1})
    assert r.status_code == 202 and r.json["status"] == "ready"  # inline jobs in this configuration
    job = client.get(f"/api/v1/jobs/{r.json['job_id']}").json
    assert job["progress"] == 100
    pdf = client.get(f"/api/v1/learning/reports/{r.json['id']}/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.post(f"/api/v1/learning/reports/{r.json['id']}/sign-off", json={"confirm": True}).status_code == 403
    board = api(app, history, "a", "board")
    signed = board.post(f"/api/v1/learning/reports/{r.json['id']}/sign-off", json={"confirm": True})
    assert signed.status_code == 200 and signed.json["signed_at"]


def test_names_of_owners_are_left_out_unless_asked_for(app, history, client_on, in_tenant, tmp_path):
    from datetime import date, timedelta

    from tenants.register.models import Measure

    owner = history.user("a", "privacy_officer")
    with in_tenant():
        db.session.add(Measure(kind="preventive", title="Nog te doen: bewaartermijnen", status="planned",
                               due_date=date.today() - timedelta(days=3), owner_id=owner.id))
    c = client_on("a", "privacy_officer", REPORTS)
    without = _pdf_text(c.get(_ask(c) + "/pdf").data, tmp_path)
    assert "Nog te doen: bewaartermijnen" in without and owner.name not in without
    r = c.post(REPORTS, {"period": "2025-H2", "compare": "1", "include_names": "1", "include_names__present": "1"})
    with_names = _pdf_text(c.get(r.headers["Location"] + "/pdf").data, tmp_path)
    assert owner.name in with_names
    with in_tenant():
        assert "board_report.requested" in audit_actions()
