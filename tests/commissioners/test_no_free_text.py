"""No answer to a commissioner contains free text of a register, a name, or a person's data.

On PostgreSQL (the oversight role holds column grants): institution A grants commissioner C
access and holds a realistic history, plans and reports. Then EVERY free-text column of
EVERY tenant table — derived from the models: String, Text and JSON columns that are not
released for oversight — gets a unique marker in every row of A, and so do the names of
A's people. Every page and API operation a commissioner can reach is fetched, and no
marker may appear in any answer. Released text columns (the shared titles of plans,
recommendations and plan measures, codes, the AP reference) are listed and reviewed below.
"""
from __future__ import annotations

import random
import re
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from lekwijzer.db import db
from lekwijzer.tenancy import tenant_scope
from tests.commissioners.test_portal import _plan
from tests.support import markers as markers_support
from tests.learning.factory import seed_history

pytestmark = pytest.mark.pg
UTC = timezone.utc
TEXT_TYPES = (sa.String, sa.Text, sa.JSON)
# Released text that commissioners (or the regulator) may see; every entry was reviewed:
# codes and enums (short String columns), the AP's own reference, and the titles an
# institution writes into a field labelled "visible to commissioners".
RELEASED_TEXT_NOT_CODES = {
    "ap_notification.ap_reference", "improvement_plan.shared_title", "plan_recommendation.shared_title",
    "recommendation_measure.shared_title",
}


def free_text_columns() -> list[sa.Column]:
    return markers_support.free_text_columns()


def _commissioner_urls(app):
    """Every GET page a commissioner can reach (from the URL map), with A as the institution."""
    from lekwijzer.models import OrgKind

    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or "org_slug" not in rule.arguments:
            continue
        bp = app.blueprints.get(rule.endpoint.split(".")[0])
        if bp is None or OrgKind.commissioner not in getattr(bp, "org_kinds", ()):
            continue
        args = {a: ("org-a" if a == "institution" else None) for a in rule.arguments if a != "org_slug"}
        if any(v is None for v in args.values()):
            continue  # an object id of the commissioner's own (its members, tokens): not institution data
        path = rule.build({**args, "org_slug": "org-c"}, append_unknown=False)[1]
        urls.append(path)
    return urls


def test_no_commissioner_answer_contains_free_text_or_names(pg_app, pg_world, pg_database, login, api):
    from tenants.learning.models import BoardReport, CommissionerGrant, MeasureJudgement, ReportingPolicy
    from tenants.register.models import Measure

    with pg_app.app_context():
        # A valid row of every feature's tables (each feature keeps its isolation seeder).
        from tests.support import isolation_seed

        isolation_seed.seed_everything(pg_world, "a")
        db.session.commit()
        with tenant_scope(pg_world.orgs["a"].id):
            seed_history(random.Random(11), datetime(2024, 1, 1, tzinfo=UTC), months=30)
            _plan(title="Gedeeld verbeterplan")
            done = db.session.scalar(sa.select(Measure.id).where(Measure.status == "done"))
            db.session.add(MeasureJudgement(measure_id=done, verdict="worked", reasoning="r", window_months=6,
                                            before_count=3, after_count=1, after_days=200))
            db.session.add(ReportingPolicy(version_label="3", adopted_on=date(2025, 3, 1), adopted_by_body="board",
                                           fg_involved=True, decision_role="board", next_review_on=date(2026, 3, 1)))
            db.session.add(BoardReport(period_start=date(2025, 1, 1), period_end=date(2025, 6, 30), status="ready",
                                       signed_at=datetime.now(UTC) - timedelta(days=40), pdf=b"%PDF"))
            if not db.session.scalar(sa.select(CommissionerGrant.id).where(CommissionerGrant.withdrawn_at.is_(None))):
                db.session.add(CommissionerGrant(commissioner_org_id=pg_world.orgs["c"].id))
    people = {role: pg_world.user("a", role).id
              for role in ("reporter", "privacy_officer", "fg", "board", "tenant_admin", "auditor")}
    markers = markers_support.plant(pg_database.owner_url, {"a": pg_world.orgs["a"].id}, people)
    assert len(markers) >= len(free_text_columns()) * 3 // 4
    pattern = re.compile("|".join(re.escape(m) for m in markers))

    answers = {}
    for role in ("viewer", "tenant_admin"):
        client = login(pg_app, pg_world.user("c", role))
        for path in _commissioner_urls(pg_app):
            for query in ("", "?period=2025-H2", "?period=2025-H1&compare=3", "?start=2024-01-01&end=2026-06-30"):
                r = client.get(path + query)
                assert r.status_code in (200, 403), (path, r.status_code)
                answers[f"{role} {path}{query}"] = r.get_data(as_text=True)
        token = api(pg_app, pg_world, "c", role)
        spec = pg_app.test_client().get("/api/v1/openapi.json").json
        for path, ops in spec["paths"].items():
            if "get" not in ops or re.search(r"{(?!institution})\w+}", path):
                continue
            url = "/api/v1" + path.removeprefix("/api/v1").replace("{institution}", "org-a")
            for query in ("", "?period=2025-H2&compare=3"):
                r = token.get(url + query)
                answers[f"api {role} {url}{query}"] = r.get_data(as_text=True)
    leaks = {key: sorted({markers[m] for m in pattern.findall(body)}) for key, body in answers.items()
             if pattern.search(body)}
    assert leaks == {}  # no marker, anywhere
    portal = answers["viewer /o/org-c/portal/institutions/org-a?period=2025-H2"]
    assert "Gedeeld verbeterplan" in portal and "Oefening 1" in portal  # while the pages do show A's plans
    api_answer = answers["api viewer /api/v1/commissioner/institutions/org-a?period=2025-H2&compare=3"]
    assert '"figures"' in api_answer and "Gedeeld verbeterplan" in api_answer
    assert len([k for k in answers if "/commissioner/" in k or "/portal/" in k]) >= 12
