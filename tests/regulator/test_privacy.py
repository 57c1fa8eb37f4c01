"""The regulator never receives free text from a register, and never reaches an institution's pages.

Markers are written into every free-text column of every tenant table of the
institutions — the list is derived from the models, so a column added later is covered —
then the AP does everything it can (intake, reconciliation, statistics, a register
request) and every page and API response it can reach is searched for the markers.
"""
from __future__ import annotations

import re
import uuid

import pytest
import sqlalchemy as sa

from lekwijzer.db import Base, db
from lekwijzer.models import OrgKind
from lekwijzer.tenancy import tenant_scope
from tests.regulator import scenario
from tests.support import markers as markers_support
from tests.regulator.conftest import reconcile, upload

pytestmark = pytest.mark.pg

def free_text_columns() -> list[tuple[sa.Table, sa.Column]]:
    return [(c.table, c) for c in markers_support.free_text_columns()]


def test_the_list_of_free_text_columns_covers_the_register(app):
    names = {(t.name, c.name) for t, c in free_text_columns()}
    for expected in [("breach", "what_happened"), ("breach", "delay_reason"), ("breach", "title"),
                     ("breach_assessment", "risk_reasoning"), ("decision", "reasoning"), ("fg_advice", "advice"),
                     ("subject_communication", "content"), ("ap_notification", "notifier_name"),
                     ("ap_notification", "payload"), ("measure", "title"), ("finding_response", "note"),
                     ("incident", "what_happened"), ("party", "name")]:
        assert expected in names
    assert ("breach", "incident_type") not in names  # a code, released for oversight


def _crawl_regulator(pg_app, pg_world, sector, client, api_client) -> dict[str, str]:
    """Every GET page and API operation the AP can reach, with its own objects' ids."""
    from regulator.models import IntakeBatch, ReconciliationRun
    from tenants.oversight.models import RegisterRequest

    with pg_app.app_context(), tenant_scope(pg_world.orgs["r"].id):
        runs = db.session.scalars(sa.select(ReconciliationRun.id)).all()
        requests = db.session.scalars(sa.select(RegisterRequest.id)).all()
        batches = db.session.scalars(sa.select(IntakeBatch.id)).all()
    assert runs and requests and batches
    pages = ["/o/org-r/", "/o/org-r/ap/", "/o/org-r/ap/intake", "/o/org-r/ap/institutions", "/o/org-r/ap/requests",
             "/o/org-r/ap/findings"]
    pages += [f"/o/org-r/ap/findings?kind={k}" for k in ("matched", "field_mismatch", "incomplete_entry",
                                                          "late_without_reason", "withdrawn")]
    pages += [f"/o/org-r/ap/findings?status={s}" for s in ("new", "open", "resolved")]
    pages += [f"/o/org-r/ap/institutions/org-{k}" for k in ("a", "b")] + [
        f"/o/org-r/ap/institutions/org-{k}x" for k in scenario.EXTRA]
    pages += [f"/o/org-r/ap/runs/{r}" for r in runs]
    for granularity in ("year", "quarter"):
        for dimension in ("type", "severity", "size", "region"):
            for measure in ("breaches", "notifications"):
                query = f"granularity={granularity}&dimension={dimension}&measure={measure}"
                pages.append(f"/o/org-r/ap/statistics?{query}")
                for chart in ("volume", "dimension", "ttn", "late"):
                    pages.append(f"/o/org-r/ap/statistics/chart.svg?chart={chart}&{query}")
    seen = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        seen[url] = response.get_data(as_text=True)
    admin = client.admin
    for url in ("/o/org-r/admin/members", "/o/org-r/admin/audit", "/o/org-r/admin/tokens"):
        response = admin.get(url)
        assert response.status_code == 200, url
        seen[url] = response.get_data(as_text=True)
    apis = ["/api/v1/org", "/api/v1/ap/reconciliations", "/api/v1/ap/findings?page_size=100",
            "/api/v1/ap/findings?kind=matched&page_size=100", "/api/v1/ap/register-requests",
            "/api/v1/ap/statistics/year", "/api/v1/ap/statistics/quarter"]
    apis += [f"/api/v1/ap/reconciliations/{r}" for r in runs]
    apis += [f"/api/v1/ap/institutions/{kvk}" for kvk in sector.kvk.values()]
    for url in apis:
        response = api_client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        seen[url] = response.get_data(as_text=True)
    # The register itself only after the institution released it (the one deliberate exception,
    # which the institution reviews first): until then, not found.
    for request_id in requests:
        for url, getter in ((f"/o/org-r/ap/requests/{request_id}/download", client),
                            (f"/api/v1/ap/register-requests/{request_id}/export", api_client)):
            response = getter.get(url)
            assert response.status_code == 404, url
            seen[url] = response.get_data(as_text=True)
    # Every GET route of the regulator's areas is in the crawl (a new page cannot escape it).
    rules = {r.rule for r in pg_app.url_map.iter_rules()
             if r.endpoint.startswith(("regulator.", "regulator_api.")) and "GET" in r.methods}
    crawled = " ".join(seen)
    for rule in rules:
        stem = re.split(r"<", rule.replace("/o/<org_slug>", "/o/org-r"), maxsplit=1)[0]
        assert stem in crawled, f"{rule} is not crawled"
    return seen


def test_no_regulator_response_contains_free_text_from_any_register(pg_app, pg_world, pg_sector, pg_database,
                                                                    login, api):
    analyst = login(pg_app, pg_world.user("r", "analyst"))
    institutions = dict(pg_sector.orgs)
    # Each institution answers a finding with an internal note, and gets a register request.
    upload(analyst, "org-r", scenario.as_csv(pg_sector.rows))
    reconcile(analyst, "org-r")
    from tenants.oversight.models import ReconciliationFinding

    with pg_app.app_context(), tenant_scope(pg_world.orgs["r"].id):
        finding = db.session.scalar(sa.select(ReconciliationFinding.id).where(
            ReconciliationFinding.institution_id == pg_world.orgs["a"].id,
            ReconciliationFinding.kind == "late_without_reason"))
    po = login(pg_app, pg_world.user("a", "privacy_officer"))
    po.get(f"/o/org-a/supervision/findings/{finding}")
    assert po.post(f"/o/org-a/supervision/findings/{finding}",
                   data={"code": "disagree", "note": "interne notitie"}).status_code == 302
    markers = list(markers_support.plant(pg_database.owner_url, institutions))
    assert len(markers) > 100
    analyst.get("/o/org-r/ap/requests")
    analyst.post("/o/org-r/ap/requests", data={
        "institution": "11111111", "case_reference": "AP-2026-1", "legal_basis": "art58_1_a",
        "period_from": "2026-01-01", "period_until": "2026-06-30", "file_format": "csv", "due_date": "2099-01-01"})
    reconcile(analyst, "org-r")  # again, now with markers everywhere
    analyst.get("/o/org-r/ap/statistics")
    analyst.post("/o/org-r/ap/statistics")
    analyst.admin = login(pg_app, pg_world.user("r", "tenant_admin"))
    responses = _crawl_regulator(pg_app, pg_world, pg_sector, analyst,
                                 api(pg_app, pg_world, "r", "analyst"))
    pattern = re.compile("|".join(re.escape(m) for m in markers))
    leaks = {url: pattern.findall(text)[:3] for url, text in responses.items() if pattern.search(text)}
    assert leaks == {}
    # The markers are really there: the institution's own pages show them.
    own = po.get("/o/org-a/supervision/findings/" + str(finding)).get_data(as_text=True)
    assert pattern.search(own)


def _fill(rule, values):
    out = {}
    for name in rule.arguments:
        if name == "org_slug":
            continue
        converter = type(rule._converters.get(name)).__name__
        out[name] = values.get(name) or (uuid.uuid4() if converter == "UUIDConverter" else "x")
    return out


def test_a_regulator_account_gets_not_found_on_every_institution_route_and_api_operation(pg_app, pg_world, login, api):
    """Over the whole URL map and every API operation, with the analyst's and the AP
    administrator's roles: any route of an institution — with the regulator's own
    organisation in the URL or an institution's — answers 404."""
    from tests.support import isolation_seed

    with pg_app.app_context():
        isolation_seed.seed_everything(pg_world, "a")
        db.session.commit()
        ids = {}
        with tenant_scope(pg_world.orgs["a"].id):
            for table in Base.metadata.sorted_tables:
                if "tenant_id" in table.c and "id" in table.c:
                    row = db.session.execute(sa.select(table.c.id).limit(1)).first()
                    if row:
                        ids[f"{table.name}_id"] = row[0]
    checked = 0
    for role in ("analyst", "tenant_admin"):
        client = login(pg_app, pg_world.user("r", role))
        token = api(pg_app, pg_world, "r", role)
        for rule in pg_app.url_map.iter_rules():
            blueprint = pg_app.blueprints.get(rule.endpoint.split(".")[0])
            kinds = getattr(blueprint, "org_kinds", None)
            if kinds is None or OrgKind.regulator in kinds:
                continue  # not an organisation's route, or one the regulator has itself (members, …)
            values = _fill(rule, ids)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                if rule.rule.startswith("/api/"):
                    url = rule.build(values, append_unknown=False)[1]
                    kw = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
                    status = getattr(token, method.lower())(url, **kw).status_code
                    assert status == 404, f"{method} {url} as the AP's {role}: {status}"
                    checked += 1
                    continue
                for slug in ("org-r", "org-a"):
                    url = rule.build({**values, "org_slug": slug}, append_unknown=False)[1]
                    response = client.get(url) if method == "GET" else client.post(url, data={})
                    assert response.status_code == 404, f"{method} {url} as the AP's {role}: {response.status_code}"
                    checked += 1
    assert checked > 40


def test_institutions_and_commissioners_get_not_found_on_every_regulator_route(pg_app, pg_world, login, api):
    checked = 0
    for org_key, role in (("a", "privacy_officer"), ("a", "tenant_admin"), ("c", "viewer")):
        client = login(pg_app, pg_world.user(org_key, role))
        token = api(pg_app, pg_world, org_key, role)
        for rule in pg_app.url_map.iter_rules():
            if not rule.endpoint.startswith(("regulator.", "regulator_api.")):
                continue
            values = _fill(rule, {})
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                if rule.rule.startswith("/api/"):
                    url = rule.build(values, append_unknown=False)[1]
                    kw = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
                    assert getattr(token, method.lower())(url, **kw).status_code == 404, url
                else:
                    for slug in (f"org-{org_key}", "org-r"):
                        url = rule.build({**values, "org_slug": slug}, append_unknown=False)[1]
                        response = client.get(url) if method == "GET" else client.post(url, data={})
                        assert response.status_code == 404, url
                checked += 1
    assert checked > 20
