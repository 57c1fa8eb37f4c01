"""The register list, figures, incident log and exports through /api/v1 (same schemas as the pages)."""
from __future__ import annotations

import io
import json

from openpyxl import load_workbook

from tests.listing.conftest import hours_ago


def _refs(response):
    return [row["reference"] for row in response.get_json()]


def test_register_list_with_the_same_filters_and_database_pagination(app, world, api, register):
    for i in range(12):
        register.breach(reference=f"DL-T-{6100 + i}", aware_at=hours_ago(200 - i), status="open" if i % 2 else "closed")
    register.breach(reference="DL-T-6199", aware_at=hours_ago(100), risk_outcome="high_risk")  # overdue
    register.incident(status="not_breach", what="geen datalek")
    client = api(app, world, "a", "privacy_officer")
    response = client.get("/api/v1/register?page_size=5&page=2&sort=reference&order=asc")
    assert response.status_code == 200
    assert _refs(response) == [f"DL-T-{6105 + i}" for i in range(5)]
    pagination = json.loads(response.headers["X-Pagination"])
    assert pagination["total"] == 13 and pagination["total_pages"] == 3
    response = client.get("/api/v1/register?status=open&page_size=100")
    assert sorted(_refs(response)) == [f"DL-T-{6100 + i}" for i in range(1, 12, 2)] + ["DL-T-6199"]
    # Overdue: past 72 hours, open, not notified and nothing decided (the six open ones
    # without an assessment too: undecided counts, whatever the risk).
    rows = client.get("/api/v1/register?overdue=true&sort=reference&order=asc").get_json()
    assert [r["reference"] for r in rows] == [f"DL-T-{6100 + i}" for i in range(1, 12, 2)] + ["DL-T-6199"]
    row = rows[-1]
    assert row["clock"] == "overdue" and row["overdue"] is True and row["deadline_at"] and row["notify_ap"] is None
    # The closed ones never notified: the clock no longer applies.
    closed = client.get("/api/v1/register?status=closed").get_json()
    assert {r["clock"] for r in closed} == {"not_required"} and not any(r["overdue"] for r in closed)
    figures = client.get("/api/v1/register/figures").get_json()
    assert figures == {"total": 13, "open": 7, "overdue": 7, "running": 0, "notified": 0, "notified_late": 0}


def test_bad_filters_are_a_clear_422(app, world, api):
    client = api(app, world, "a", "privacy_officer")
    response = client.get("/api/v1/register?aware_from=2026-02-01&aware_until=2026-01-01")
    assert response.status_code == 422
    assert "aware_until" in json.dumps(response.get_json())
    assert client.get("/api/v1/register?band=extreme").status_code == 422
    assert client.get("/api/v1/register?page_size=1000").status_code == 422


def test_permissions_follow_the_pages(app, world, api):
    assert api(app, world, "a", "reporter").get("/api/v1/register").status_code == 403
    assert api(app, world, "a", "board").get("/api/v1/register").status_code == 200
    assert api(app, world, "a", "board").get("/api/v1/incident-log").status_code == 403
    assert api(app, world, "a", "fg").get("/api/v1/incident-log").status_code == 200


def test_incident_log(app, world, api, register):
    register.incident(status="not_breach", what="printerstoring", reported_at=hours_ago(2))
    register.incident(status="new", what="usb-stick kwijt", reported_at=hours_ago(20))
    breach_id = register.breach(reference="DL-T-6201", aware_at=hours_ago(1))
    rows = api(app, world, "a", "privacy_officer").get("/api/v1/incident-log").get_json()
    assert rows[0]["status"] == "new" and rows[0]["summary"] == "usb-stick kwijt"
    linked = [r for r in rows if r["breach_reference"] == "DL-T-6201"]
    assert linked and linked[0]["breach_id"] == str(breach_id)


def test_export_through_the_api(app, world, api, register):
    register.breach(reference="DL-T-6301", aware_at=hours_ago(5), reported_by=world.user("a", "reporter").id)
    register.incident(status="not_breach", what="GEEN-DATALEK")
    client = api(app, world, "a", "privacy_officer")
    response = client.post("/api/v1/register/exports", json={"format": "xlsx", "status": "open"})
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert body["state"] == "done" and body["row_count"] == 1 and body["filters"]["status"] == "open"
    status = client.get(f"/api/v1/register/exports/{body['id']}").get_json()
    assert status["download_url"] == f"/api/v1/register/exports/{body['id']}/file"
    file = client.get(status["download_url"])
    assert file.status_code == 200
    rows = list(load_workbook(io.BytesIO(file.get_data()), read_only=True)["Datalekregister"].iter_rows(values_only=True))
    assert rows[1][0] == "DL-T-6301" and len(rows) == 2
    assert world.user("a", "reporter").name.encode() not in file.get_data()
    listed = client.get("/api/v1/register/exports").get_json()
    assert [e["id"] for e in listed] == [body["id"]]


def test_export_requests_are_validated_by_the_same_schema(app, world, api):
    client = api(app, world, "a", "privacy_officer")
    assert client.post("/api/v1/register/exports", json={"format": "pdf"}).status_code == 422
    assert client.post("/api/v1/register/exports", json={"format": "csv", "colour": "red"}).status_code == 422
    assert client.post("/api/v1/register/exports", json={}).status_code == 422
    auditor = api(app, world, "a", "auditor")
    assert auditor.post("/api/v1/register/exports", json={"format": "csv", "include_names": True}).status_code == 403
    assert client.get("/api/v1/register/exports").get_json() == []  # nothing was written
