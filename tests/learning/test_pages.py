"""Every page of the feature answers in Dutch and in English, with one h1 and no untranslated Dutch gaps."""
from __future__ import annotations

import random
import re

import pytest
import sqlalchemy as sa

from lekwijzer.db import db


@pytest.fixture
def filled(app, world):
    from lekwijzer.demo import DemoContext
    from lekwijzer.models import Org, User
    from lekwijzer.tenancy import tenant_scope
    from tenants.learning.demo import seed_learning

    with app.app_context():
        org = db.session.get(Org, world.orgs["a"].id)
        users = {r: db.session.get(User, world.user("a", r).id) for r in ("privacy_officer", "board", "tenant_admin")}
        with tenant_scope(org.id):
            seed_learning(DemoContext(org, users, random.Random(7)))
    return world


def _ids(app, world):
    from lekwijzer.tenancy import tenant_scope
    from tenants.learning.models import BoardReport, ImprovementPlan
    from tenants.register.models import Measure

    with app.app_context(), tenant_scope(world.orgs["a"].id):
        return (db.session.scalar(sa.select(ImprovementPlan.id)), db.session.scalar(sa.select(BoardReport.id)),
                db.session.scalar(sa.select(Measure.id).where(Measure.status == "done",
                                                              Measure.target_incident_type.is_not(None))))


@pytest.mark.parametrize("lang,words", [("nl", ("Leren van datalekken", "Verbeterplannen")),
                                        ("en", ("Learning from breaches", "Improvement plans"))])
def test_every_page_in_both_languages(app, filled, login, lang, words):
    plan_id, report_id, measure_id = _ids(app, filled)
    pages = {
        "board": ["/o/org-a/", "/o/org-a/learning/", "/o/org-a/learning/?period=2025-H2&compare=0",
                  "/o/org-a/learning/?start=2025-02-01&end=2025-05-31&compare=2", "/o/org-a/learning/effectiveness",
                  "/o/org-a/learning/plans", f"/o/org-a/learning/plans/{plan_id}", "/o/org-a/learning/policy",
                  "/o/org-a/learning/reports", f"/o/org-a/learning/reports/{report_id}",
                  f"/o/org-a/learning/measures/{measure_id}/judgement", "/o/org-a/learning/sharing"],
        "privacy_officer": [f"/o/org-a/learning/plans/{plan_id}/edit", "/o/org-a/learning/settings"],
    }
    for role, urls in pages.items():
        client = login(app, filled.user("a", role))
        client.get("/o/org-a/")
        if lang == "en":
            assert client.post("/lang", {"lang": "en", "next": "/o/org-a/"}).status_code == 302
        for url in urls:
            r = client.get(url)
            body = r.get_data(as_text=True)
            assert r.status_code == 200, (url, r.status_code)
            assert f'<html lang="{lang}"' in body and len(re.findall(r"<h1[ >]", body)) == 1, url
        assert words[0] in client.get("/o/org-a/learning/").get_data(as_text=True)
        assert words[1] in client.get("/o/org-a/learning/plans").get_data(as_text=True)
    commissioner = login(app, filled.user("c", "viewer"))
    commissioner.get("/o/org-c/")
    if lang == "en":
        commissioner.post("/lang", {"lang": "en", "next": "/o/org-c/"})
    for url in ("/o/org-c/", "/o/org-c/portal/", "/o/org-c/portal/?period=2025-H2",
                "/o/org-c/portal/institutions/org-a", "/o/org-c/portal/institutions/org-a?period=2025-H1&compare=3"):
        r = commissioner.get(url)
        assert r.status_code == 200 and f'<html lang="{lang}"' in r.get_data(as_text=True), url


def test_a_bad_period_gets_a_clear_message(app, filled, login):
    client = login(app, filled.user("a", "privacy_officer"))
    r = client.get("/o/org-a/learning/?start=2025-06-01&end=2025-01-01")
    assert r.status_code == 422 and "De laatste dag ligt vóór de eerste dag." in r.get_data(as_text=True)
    assert client.get("/o/org-a/learning/?period=2025-H3").status_code == 422
    assert client.get("/o/org-a/learning/charts/pie.svg").status_code == 404
