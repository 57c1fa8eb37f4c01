"""Domain watch pages: the domains, one domain with its checks and findings, the address scan."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

import sqlalchemy as sa
from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import format_date, format_decimal, gettext, lazy_gettext as _l, ngettext
from flask_login import current_user

from lekwijzer.db import db, utcnow
from lekwijzer.edge import can, get_or_404, org_blueprint, requires
from lekwijzer.forms import load_form
from lekwijzer.models import AuditEvent
from lekwijzer.orghome import register_panel
from lekwijzer.roles import register_permissions
from lekwijzer.ui import register_nav

from . import enums, policy, scan as scanner, service
from .models import Domain, DomainFinding
from .schemas import DomainInSchema, ScanInSchema

register_permissions({
    "domains.view": {"tenant_admin", "privacy_officer", "fg", "auditor", "board"},
    "domains.manage": {"tenant_admin"},
    "domains.check": {"tenant_admin", "privacy_officer"},
    "domains.scan": {"tenant_admin", "privacy_officer"},
})

bp = org_blueprint("domains", __name__, url_prefix="/domains", template_folder="templates")
# The feature's stylesheet, served like every other asset (no organisation in its URL).
assets = Blueprint("domains_assets", __name__, static_folder="static", static_url_path="/static/domains")

LABELS = {
    "name": _l("Domain name"), "state": _l("Status"), "retired_on": _l("Retired on"),
    "systems": _l("Systems that used it"), "registration_contact": _l("Who manages the registration"),
    "expected_registrar": _l("Registrar"), "expected_ns": _l("Expected name servers"),
    "expected_mx": _l("Expected mail servers"), "notes": _l("Notes"),
    "file": _l("Address list (CSV)"), "system": _l("System"), "column": _l("Address column"),
    "system_column": _l("System column"), "output": _l("Show the result"),
}



def _date(iso: str | None) -> str:
    """A date kept as ISO text in a finding's detail, shown the reader's way."""
    if not iso:
        return "–"
    try:
        return format_date(date.fromisoformat(iso[:10]))
    except ValueError:
        return iso


@bp.context_processor
def _helpers():
    return {"fmt_date": _date, "fmt_number": lambda v, f="0.00": format_decimal(v, format=f)}


DELIMITERS = {",": _l("comma"), ";": _l("semicolon"), "\t": _l("tab"), "|": _l("pipe")}


def _vocab() -> dict:
    return {"STATE": enums.STATE, "FINDING": enums.FINDING, "ADVICE": enums.FINDING_ADVICE,
            "OUTCOME": enums.OUTCOME, "DNS_STATUS": enums.DNS_STATUS, "RDAP_STATUS": enums.RDAP_STATUS,
            "MAIL": enums.MAIL, "PROBE": enums.PROBE, "labels": LABELS, "DELIMITERS": DELIMITERS}


@bp.get("/")
@requires("domains.view")
def index():
    domains = service.list_domains()
    return render_template("domains/index.html", domains=domains, status=service.status,
                           open_findings=service.open_findings(), **_vocab())


def _form_values(domain: Domain | None) -> dict:
    if request.method == "POST":
        return request.form
    if domain is None:
        return {"state": "current"}
    return {
        "name": domain.name, "state": domain.state,
        "retired_on": domain.retired_on.isoformat() if domain.retired_on else "",
        "systems": "\n".join(domain.systems or []), "registration_contact": domain.registration_contact or "",
        "expected_registrar": domain.expected_registrar or "",
        "expected_ns": "\n".join(domain.expected_ns or []), "expected_mx": "\n".join(domain.expected_mx or []),
        "notes": domain.notes or "",
    }


def _form_page(domain, errors, status=200):
    check = service.last_check(domain) if domain is not None else None
    return render_template("domains/form.html", domain=domain, form=_form_values(domain), errors=errors,
                           check=check, **_vocab()), status


@bp.route("/new", methods=["GET", "POST"])
@requires("domains.manage")
def new():
    if request.method == "GET":
        return _form_page(None, {})
    data, errors = load_form(DomainInSchema())
    if not errors:
        try:
            domain = service.create_domain(data, current_user.id)
            db.session.commit()
            flash(_l("Domain added. Lekwijzer checks it now and then every day."), "success")
            _warn_members(domain)
            return redirect(url_for(".detail", domain_id=domain.id))
        except service.DomainError as exc:
            db.session.rollback()
            errors = {exc.field: [str(exc.message)]}
    return _form_page(None, errors, 422)


def _warn_members(domain: Domain) -> None:
    """Tell the administrator at once when people still have an address on a retired domain."""
    if not domain.retired:
        return
    n = len(policy.members_on({domain.name}))
    if n:
        flash(ngettext("%(num)s member has an address on this retired domain. Lekwijzer no longer e-mails "
                       "them; the domain page lists who.",
                       "%(num)s members have an address on this retired domain. Lekwijzer no longer e-mails "
                       "them; the domain page lists who.", n), "warning")


@bp.get("/<uuid:domain_id>")
@requires("domains.view")
def detail(domain_id: uuid.UUID):
    domain = get_or_404(Domain, domain_id)
    members = policy.members_on({domain.name}) if domain.retired and can("domains.manage") else []
    return render_template(
        "domains/detail.html", domain=domain, check=service.last_check(domain),
        checks=service.recent_checks(domain), findings=service.by_severity(domain.findings),
        status=service.status(domain),
        members=members, **_vocab())


@bp.route("/<uuid:domain_id>/edit", methods=["GET", "POST"])
@requires("domains.manage")
def edit(domain_id: uuid.UUID):
    domain = get_or_404(Domain, domain_id)
    if request.method == "GET":
        return _form_page(domain, {})
    data, errors = load_form(DomainInSchema())
    if not errors:
        try:
            service.update_domain(domain, data)
            db.session.commit()
            flash(_l("Domain saved."), "success")
            _warn_members(domain)
            return redirect(url_for(".detail", domain_id=domain.id))
        except service.DomainError as exc:
            db.session.rollback()
            errors = {exc.field: [str(exc.message)]}
    return _form_page(domain, errors, 422)


@bp.post("/<uuid:domain_id>/check")
@requires("domains.check")
def check_now(domain_id: uuid.UUID):
    domain = get_or_404(Domain, domain_id)
    service.request_check(domain, reason="manual")
    db.session.commit()
    flash(_l("The check has been started. Reload this page in a minute to see the result."), "success")
    return redirect(url_for(".detail", domain_id=domain_id))


@bp.post("/<uuid:domain_id>/confirm-registration")
@requires("domains.manage")
def confirm_registration(domain_id: uuid.UUID):
    domain = get_or_404(Domain, domain_id)
    if service.confirm_registration(domain):
        db.session.commit()
        flash(_l("The registration the registry shows is now recorded as yours."), "success")
    else:
        flash(_l("There is no registration data to confirm yet. Check the domain first."), "error")
    return redirect(url_for(".detail", domain_id=domain_id))


@bp.post("/<uuid:domain_id>/take-over-servers")
@requires("domains.manage")
def take_over_servers(domain_id: uuid.UUID):
    domain = get_or_404(Domain, domain_id)
    if service.take_over_servers(domain):
        db.session.commit()
        flash(_l("The name and mail servers of the last check are now the expected ones."), "success")
    else:
        flash(_l("The last check has no DNS answer to take over. Check the domain first."), "error")
    return redirect(url_for(".detail", domain_id=domain_id))


@bp.post("/<uuid:domain_id>/delete")
@requires("domains.manage")
def delete(domain_id: uuid.UUID):
    domain = get_or_404(Domain, domain_id)
    service.delete_domain(domain)
    db.session.commit()
    flash(_l("Domain removed from the list, with its checks and findings."), "success")
    return redirect(url_for(".index"))


@bp.get("/findings/<uuid:domain_finding_id>")
@requires("domains.view")
def finding(domain_finding_id: uuid.UUID):
    row = get_or_404(DomainFinding, domain_finding_id)
    return redirect(url_for(".detail", domain_id=row.domain_id, _anchor=f"finding-{row.id}"))


@bp.route("/address-scan", methods=["GET", "POST"])
@requires("domains.scan")
def address_scan():
    retired = policy.retired_names(g.org)
    if request.method == "GET":
        return _scan_page(retired, {}, None)
    data, errors = load_form(ScanInSchema())
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        errors.setdefault("file", []).append(gettext("Choose the CSV file to scan."))
    elif not retired:
        errors.setdefault("file", []).append(gettext(
            "This organisation has no retired domains listed, so there is nothing to look for. "
            "List your retired domains first."))
    if errors:
        return _scan_page(retired, errors, None, 422)
    try:
        result = scanner.scan(upload.stream, retired, system=data.get("system"), column=data.get("column"),
                              system_column=data.get("system_column"))
    except scanner.ScanError as exc:
        return _scan_page(retired, {"file": [str(exc.message)]}, None, 422)
    finally:
        upload.close()
    service.record_scan(result, data.get("system"), current_user.id)
    db.session.commit()
    if data["output"] == "csv":
        return Response(scanner.hits_csv(result), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=lekwijzer-adressen-oude-domeinen.csv"})
    return _scan_page(retired, {}, result)


def _scan_page(retired, errors, result, status=200):
    return render_template("domains/scan.html", retired=sorted(retired), errors=errors, result=result,
                           form=request.form if request.method == "POST" else {},
                           scans=service.recent_scans(), **_vocab()), status


# --- dashboard ----------------------------------------------------------------------------

def panel_context() -> dict:
    domains = service.list_domains()
    findings = service.open_findings()
    since = utcnow() - timedelta(days=30)
    refused = 0
    for meta in db.session.scalars(sa.select(AuditEvent.meta).where(
            AuditEvent.action == "mail.refused", AuditEvent.at >= since).limit(500)):
        if (meta or {}).get("reason") == policy.REASON:
            refused += 1
    retired = {d.name for d in domains if d.retired}
    members = len(policy.members_on(retired)) if retired and can("domains.manage") else 0
    return {"domains": len(domains), "retired": len(retired), "findings": findings[:5],
            "finding_count": len(findings), "refused": refused, "members_on_retired": members,
            "FINDING": enums.FINDING}


register_nav("domains.index", _l("Domains"), permission="domains.view", order=80)
register_panel("domains/_panel.html", panel_context, permission="domains.view", order=30)
