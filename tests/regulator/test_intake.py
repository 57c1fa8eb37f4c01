"""Intake of received notifications: every bad row reported, nothing of a bad file, nothing twice."""
from __future__ import annotations

import io
import json

import sqlalchemy as sa

from lekwijzer.db import db
from lekwijzer.tenancy import tenant_scope
from tests.regulator.conftest import upload

GOOD = (b"ap_reference,kvk,received_at,kind,aware_at,incident_type,persons_min,persons_max\n"
        b"AP-1,11111111,2026-02-03T10:00:00+01:00,initial,2026-02-02T09:00:00+01:00,sent_by_mistake,1,3\n"
        b"AP-1,11111111,2026-02-05T10:00:00+01:00,supplement,,,,\n"
        b"AP-2,22222222,2026-03-01 09:30,initial,2026-02-27 08:00,phishing_social_engineering,10,40\n")


def _received(app, world) -> int:
    from regulator.models import ReceivedNotification

    with app.app_context(), tenant_scope(world.orgs["r"].id):
        return db.session.scalar(sa.select(sa.func.count()).select_from(ReceivedNotification))


def test_a_good_file_is_imported_and_importing_it_again_changes_nothing(app, world, login):
    analyst = login(app, world.user("r", "analyst"))
    first = upload(analyst, "org-r", GOOD)
    assert first.status_code == 200
    assert "3 new" in first.get_data(as_text=True) or "3 nieuw" in first.get_data(as_text=True)
    assert _received(app, world) == 3
    again = upload(analyst, "org-r", GOOD)
    assert again.status_code == 200
    assert "eerder" in again.get_data(as_text=True)  # "Dit bestand is eerder ingelezen. Er is niets veranderd."
    assert _received(app, world) == 3
    # An overlapping export (another file) adds only what is new.
    overlapping = GOOD + b"AP-3,11111111,2026-03-10T10:00:00Z,initial,2026-03-09T10:00:00Z,ransomware,100,200\n"
    assert upload(analyst, "org-r", overlapping, "tweede.csv").status_code == 200
    assert _received(app, world) == 4


def test_every_bad_row_is_reported_by_line_and_nothing_is_imported(app, world, login):
    analyst = login(app, world.user("r", "analyst"))
    bad = (b"ap_reference,kvk,received_at,kind,aware_at,incident_type,persons_min,persons_max\n"
           b"AP-1,11111111,2026-02-03T10:00:00+01:00,initial,,sent_by_mistake,1,3\n"     # line 2: fine
           b"AP-2,1234,2026-02-03T10:00:00+01:00,initial,,,,\n"                           # line 3: KvK
           b"AP-3,11111111,gisteren,initial,,,,\n"                                        # line 4: time
           b"AP-4,11111111,2026-02-03T10:00:00+01:00,telefoontje,,,,\n"                   # line 5: kind
           b"AP-5,11111111,2026-02-03T10:00:00+01:00,initial,,sent_by_mistake,50,5\n"     # line 6: min > max
           b"AP-6,11111111,2026-02-03T10:00:00+01:00,initial,2026-02-04T10:00:00+01:00,,,\n"  # line 7: aware after
           b",11111111,2026-02-03T10:00:00+01:00,initial,,,,\n")                          # line 8: no reference
    response = upload(analyst, "org-r", bad)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Er is niets ingelezen" in page
    rows = _problem_rows(page)
    assert {line for line, _field in rows} == {"3", "4", "5", "6", "7", "8"}
    assert ("3", "kvk") in rows and ("4", "received_at") in rows and ("5", "kind") in rows
    assert ("6", "persons_max") in rows and ("7", "aware_at") in rows and ("8", "ap_reference") in rows
    assert _received(app, world) == 0


def _problem_rows(page: str) -> set:
    import re

    table = page.split('class="utrecht-table lw-problems"', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r'<tr class="utrecht-table__row"><td class="utrecht-table__cell">([^<]*)</td>'
                       r'<td class="utrecht-table__cell"><code>([^<]*)</code>', table)
    return set(cells)


def test_unknown_columns_and_a_file_that_is_not_csv_are_refused_with_a_reason(app, world, login):
    analyst = login(app, world.user("r", "analyst"))
    response = upload(analyst, "org-r", b"meldnummer;kvk;ontvangen;soort;naam_melder\nAP-1;11111111;2026-01-01;melding;Jan\n")
    assert response.status_code == 422
    assert ("1", "naam_melder") in _problem_rows(response.get_data(as_text=True))
    response = upload(analyst, "org-r", "\xff\xfe".encode("latin-1") + b"rubbish", "x.csv")
    assert response.status_code == 422
    assert _received(app, world) == 0


def test_dutch_headers_semicolons_and_json_files_are_understood(app, world, login):
    analyst = login(app, world.user("r", "analyst"))
    dutch = ("meldnummer;kvk-nummer;ontvangen op;soort;ontdekt op;type\n"
             "AP-9;11111111;2026-04-01 10:00;melding;2026-03-31 09:00;sent_by_mistake\n"
             "AP-9;11111111;2026-04-09 10:00;intrekking;;\n").encode()
    assert upload(analyst, "org-r", dutch, "export.csv").status_code == 200
    as_json = json.dumps({"notifications": [
        {"ap_reference": "AP-10", "kvk": "22222222", "received_at": "2026-04-02T10:00:00Z", "kind": "initial"}]})
    assert upload(analyst, "org-r", as_json.encode(), "export.json").status_code == 200
    from regulator.models import ReceivedNotification

    with app.app_context(), tenant_scope(world.orgs["r"].id):
        kinds = sorted(db.session.scalars(sa.select(ReceivedNotification.kind)))
    assert kinds == ["initial", "initial", "withdrawal"]


def test_the_api_takes_the_same_rows_with_the_same_rules(app, world, api):
    client = api(app, world, "r", "analyst")
    body = {"notifications": [
        {"ap_reference": "AP-1", "kvk": "11111111", "received_at": "2026-02-03T10:00:00+01:00", "kind": "initial"},
        {"ap_reference": "AP-2", "kvk": "nope", "received_at": "2026-02-03T10:00:00+01:00", "kind": "initial"},
    ]}
    refused = client.post("/api/v1/ap/intake", json=body)
    assert refused.status_code == 422
    assert _received(app, world) == 0
    body["notifications"][1]["kvk"] = "22222222"
    created = client.post("/api/v1/ap/intake", json=body)
    assert created.status_code == 201 and created.json["new"] == 2
    again = client.post("/api/v1/ap/intake", json=body)
    assert again.status_code == 201 and again.json["new"] == 0 and again.json["file_already_imported"]
    assert _received(app, world) == 2
    bad_file = client.post("/api/v1/ap/intake/file", data={"file": (io.BytesIO(
        b"ap_reference,kvk,received_at,kind\nAP-3,123,2026-01-01,initial\n"), "x.csv")},
        content_type="multipart/form-data")
    assert bad_file.status_code == 422
    assert bad_file.json["errors"] == [{"line": 2, "field": "kvk", "message": "A KvK number has exactly 8 digits."}] \
        or bad_file.json["errors"][0]["line"] == 2
    assert _received(app, world) == 2


def test_only_analysts_import_and_institutions_cannot_reach_the_intake(app, world, login, api):
    admin = login(app, world.user("r", "tenant_admin"))
    assert admin.get("/o/org-r/ap/intake").status_code == 403
    institution = login(app, world.user("a", "privacy_officer"))
    assert institution.get("/o/org-a/ap/intake").status_code == 404
    assert api(app, world, "a", "privacy_officer").post("/api/v1/ap/intake", json={"notifications": []}).status_code == 404
