"""Address scan: find addresses on retired domains in any exported address list."""
from __future__ import annotations

import io
import json
import random
import re

import pytest

from tenants.domains.scan import ScanError, scan
from tests.domains.conftest import add_domain

RETIRED = frozenset({"bjz-voorbeeld.nl", "oud-voorbeeld.nl"})


def planted_list(lines: int = 100_000, seed: int = 7):
    """A crisis-tool-like export; returns (csv text, {address: occurrences} planted on retired domains)."""
    rng = random.Random(seed)
    planted = {}
    decoys = ["jan@bjz-voorbeeld.nl.evil.example", "piet@notbjz-voorbeeld.nl", "kees@bjz-voorbeeld.nlx",
              "bjz-voorbeeld.nl", "info@voorbeeld.nl"]
    out = ["naam;e-mail;afdeling;systeem;cc"]
    for i in range(lines):
        name = f"Medewerker {i}"
        address = f"m{i}@samenveiligvoorbeeld.nl"
        cc = rng.choice(["", "", f"team{i % 97}@gemeente-voorbeeld.nl", rng.choice(decoys)])
        system = rng.choice(["Crisistool", "Telefooncentrale", "ECD"])
        if i % 2500 == 17:
            address = f"m{i}@bjz-voorbeeld.nl"
            planted[address] = planted.get(address, 0) + 1
        if i % 9973 == 5:
            cc = f"Oud Secretariaat <secretariaat@mail.bjz-voorbeeld.nl>, X{i}@OUD-VOORBEELD.NL"
            for a in ("secretariaat@mail.bjz-voorbeeld.nl", f"x{i}@oud-voorbeeld.nl"):
                planted[a] = planted.get(a, 0) + 1
        out.append(f"{name};{address};Afdeling {i % 40};{system};{cc}")
    return "\r\n".join(out) + "\r\n", planted


def found(result):
    return {a: v[0] for addresses in result.by_domain.values() for a, v in addresses.items()}


def test_a_100000_line_export_reports_exactly_the_planted_addresses():
    text, planted = planted_list()
    result = scan(io.BytesIO(text.encode("utf-8")), RETIRED)
    assert result.rows == 100_000
    assert found(result) == planted
    assert result.hits == sum(planted.values()) and result.unique_hits == len(planted)
    assert set(result.by_domain) == {"bjz-voorbeeld.nl", "oud-voorbeeld.nl"}
    assert "secretariaat@mail.bjz-voorbeeld.nl" in result.by_domain["bjz-voorbeeld.nl"]  # subdomain
    assert result.delimiter == ";" and result.header[1] == "e-mail"
    assert set(result.address_columns) == {"e-mail", "cc"}
    # Grouped by system: the "systeem" column is used automatically.
    assert set(result.by_system) <= {"Crisistool", "Telefooncentrale", "ECD"}
    assert sum(sum(c.values()) for c in result.by_system.values()) == result.hits


@pytest.mark.parametrize("encoding, delimiter, header", [
    ("utf-8-sig", ",", True), ("cp1252", ";", True), ("utf-16", "\t", True), ("utf-8", "|", False),
    ("utf-16-le", ",", False),
])
def test_encodings_delimiters_and_headers_are_detected(encoding, delimiter, header):
    rows = [["Zoë Jansen", "zoe@bjz-voorbeeld.nl", "Crisistool"], ["Anaïs Bakker", "anais@elders.nl", "ECD"],
            ["Renée de Wit", "renee@oud-voorbeeld.nl; r.dewit@elders.nl", "Crisistool"]]
    lines = ([delimiter.join(["Naam", "E-mailadres", "Applicatie"])] if header else []) + [
        delimiter.join(f'"{c}"' if delimiter in c or ";" in c else c for c in row) for row in rows]
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    result = scan(io.BytesIO(data), RETIRED, system="Export 2026")
    assert found(result) == {"zoe@bjz-voorbeeld.nl": 1, "renee@oud-voorbeeld.nl": 1}
    assert result.delimiter == delimiter and (result.header is not None) == header
    assert result.rows == 3
    if header:  # the "Applicatie" column names the system of each row
        assert set(result.by_system) == {"Crisistool"}
    else:
        assert set(result.by_system) == {"Export 2026"}


def test_a_windows_file_with_a_late_non_utf8_byte_is_read_again_as_windows_1252():
    head = "naam,email\r\n" + "".join(f"a{i},a{i}@elders.nl\r\n" for i in range(5000))
    data = head.encode() + "Jos\xe9,jose@bjz-voorbeeld.nl\r\n".encode("cp1252")
    result = scan(io.BytesIO(data), RETIRED)
    assert found(result) == {"jose@bjz-voorbeeld.nl": 1} and result.encoding == "cp1252"


def test_a_named_column_limits_the_scan():
    data = b"naam;email;oud_email\nA;a@elders.nl;a@bjz-voorbeeld.nl\nB;b@bjz-voorbeeld.nl;\n"
    assert found(scan(io.BytesIO(data), RETIRED, column="email")) == {"b@bjz-voorbeeld.nl": 1}
    assert found(scan(io.BytesIO(data), RETIRED, column="3")) == {"a@bjz-voorbeeld.nl": 1}
    with pytest.raises(ScanError, match="geen kolom|no column"):
        scan(io.BytesIO(data), RETIRED, column="adres")


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (b"naam;email\nA;\"a@bjz-voorbeeld.nl\nB;b@elders.nl\n", "line 2: a quoted value is not closed"),
    (b'naam,email\nA,"a@x.nl"junk,3\n', "line 2: a quote is followed by other text"),
    (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 100, "Excel workbook"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not a text file"),
])
def test_a_malformed_file_gets_a_clear_message(data, message, app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        from flask import session

        session["lang"] = "en"
        with pytest.raises(ScanError) as info:
            scan(io.BytesIO(data), RETIRED)
        assert message in str(info.value.message)


# --- the page and the API --------------------------------------------------------------

def _upload(client, data: bytes, **fields):
    return client.post("/o/org-a/domains/address-scan", data={
        "file": (io.BytesIO(data), "export.csv"), **fields}, content_type="multipart/form-data")


def test_the_scan_page_shows_the_addresses_and_keeps_only_counts(app, world, login):
    from lekwijzer.db import db
    from lekwijzer.models import AuditEvent
    from lekwijzer.tenancy import tenant_scope
    from tenants.domains.models import AddressScan
    import sqlalchemy as sa

    org = world.orgs["a"]
    add_domain(app, org, name="bjz-voorbeeld.nl", state="retired")
    client = login(app, world.user("a", "privacy_officer"))
    assert client.get("/o/org-a/domains/address-scan").status_code == 200
    text, planted = planted_list(3000)
    response = _upload(client, text.encode(), system="Crisistool")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for address in planted:
        if address.endswith("bjz-voorbeeld.nl"):
            assert address in page
    assert "x5@oud-voorbeeld.nl" not in page  # not a retired domain of this organisation
    with app.app_context(), tenant_scope(org.id):
        row = db.session.scalars(sa.select(AddressScan)).one()
        assert row.rows == 3000 and row.unique_hits == 3 and row.by_domain == {"bjz-voorbeeld.nl": 3}
        assert "@" not in json.dumps([row.by_domain, row.by_system, row.system])  # no address kept
        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
        assert "domains.address_scan" in actions


def test_a_malformed_upload_is_a_422_with_an_error_summary_and_nothing_is_written(app, world, login):
    import sqlalchemy as sa

    from lekwijzer.db import db
    from lekwijzer.tenancy import tenant_scope
    from tenants.domains.models import AddressScan

    org = world.orgs["a"]
    add_domain(app, org, name="bjz-voorbeeld.nl", state="retired")
    client = login(app, world.user("a", "tenant_admin"))
    client.get("/o/org-a/domains/address-scan")
    response = _upload(client, b'naam;email\nA;"a@bjz-voorbeeld.nl\n')
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="error-summary"' in page and "regel 2" in page and "aanhalingsteken" in page
    response = client.post("/o/org-a/domains/address-scan", data={"system": "x"},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "Kies het CSV-bestand" in response.get_data(as_text=True)
    with app.app_context(), tenant_scope(org.id):
        assert db.session.scalars(sa.select(AddressScan)).all() == []


def test_the_result_can_be_downloaded_as_csv(app, world, login):
    add_domain(app, world.orgs["a"], name="bjz-voorbeeld.nl", state="retired")
    client = login(app, world.user("a", "privacy_officer"))
    client.get("/o/org-a/domains/address-scan")
    response = _upload(client, b"email,systeem\nA@bjz-voorbeeld.nl,Crisistool\nb@elders.nl,ECD\n", output="csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.get_data(as_text=True).splitlines() == [
        "domain;address;occurrences;first_line;systems", "bjz-voorbeeld.nl;a@bjz-voorbeeld.nl;1;2;Crisistool"]


def test_only_privacy_officers_and_admins_may_scan(app, world, login):
    client = login(app, world.user("a", "reporter"))
    assert client.get("/o/org-a/domains/address-scan").status_code == 403


def test_the_api_scans_a_multipart_upload(app, world, api):
    add_domain(app, world.orgs["a"], name="bjz-voorbeeld.nl", state="retired")
    client = api(app, world, "a", "privacy_officer")
    response = client.post("/api/v1/address-scans", data={
        "file": (io.BytesIO(b"naam\temail\nA\ta@bjz-voorbeeld.nl\nB\tb@x.nl\n"), "lijst.csv"),
        "system": "Crisistool"}, content_type="multipart/form-data")
    assert response.status_code == 200, response.json
    body = response.json
    assert body["by_domain"] == {"bjz-voorbeeld.nl": [{"address": "a@bjz-voorbeeld.nl", "occurrences": 1,
                                                       "first_line": 2, "systems": ["Crisistool"]}]}
    assert body["rows"] == 2 and body["unique_hits"] == 1
    bad = client.post("/api/v1/address-scans", data={"file": (io.BytesIO(b'"open\n'), "x.csv")},
                      content_type="multipart/form-data")
    assert bad.status_code == 422 and re.search(r"line 1|regel 1", bad.json["message"])
