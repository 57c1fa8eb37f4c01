"""Reminders by e-mail: the 72-hour clock at 24, 48 and 66 hours, and measures due or late.

Real SMTP (a sink on loopback), the real clock tick, the real outbox; jobs run inline.
"""
from __future__ import annotations

from datetime import timedelta

from lekwijzer.db import utcnow


def _tick(app, now=None):
    """The real clock tick, with only the register's sweep registered (other features'
    reminders — policy reviews, board reports, domains — have their own tests)."""
    from unittest import mock

    from lekwijzer.jobs.clock import tick
    from lekwijzer.jobs.registry import PERIODIC

    register_only = {k: v for k, v in PERIODIC.items() if k.startswith("register.")}
    with app.app_context(), mock.patch.dict(PERIODIC, register_only, clear=True):
        tick(now)


def _subjects(messages, to):
    return sorted(" ".join(str(m["Subject"]).split()) for rcpt, m in messages if to in rcpt)


def test_clock_reminders_reach_the_privacy_officers_once_per_threshold_with_a_link_only(app, world, flow, smtp):
    quiet = flow.breach("assessed", aware_hours_ago=10)
    day = flow.breach("assessed", aware_hours_ago=25)
    two_days = flow.breach("assessed", aware_hours_ago=50)
    last_hours = flow.breach("advised", aware_hours_ago=67)
    notified = flow.breach("notified", aware_hours_ago=30)
    flow.ok(flow.api("privacy_officer").post(f"/api/v1/breaches/{last_hours}/assessments", json={
        "dpc_adjustment": 0, "ease_of_identification": "1", "malicious": False, "risk_outcome": "unlikely_risk",
        "risk_reasoning": "Een collega met geheimhoudingsplicht ontving het."}), 201)
    decided_no = flow.breach("assessed", aware_hours_ago=30, assessment={"risk_outcome": "unlikely_risk"})
    flow.ok(flow.api("board").post(f"/api/v1/breaches/{decided_no}/decisions/notify-ap", json={
        "choice": "no", "reasoning": "Geen risico.", "override_note": "Collega.", "no_fg_advice_reason": "Eenvoudig."}), 201)
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, BASE_URL="http://lekwijzer.test")

    _tick(app)
    po = world.user("a", "privacy_officer").email
    messages = smtp.wait_for(3)
    assert _subjects(messages, po) == sorted([
        f"[Lekwijzer] Datalek: 24 uur na kennisname (LW-{day.replace('-', '')[:8].upper()})",
        f"[Lekwijzer] Datalek: 48 uur na kennisname (LW-{two_days.replace('-', '')[:8].upper()})",
        f"[Lekwijzer] Datalek: nog 6 uur om te melden bij de AP (LW-{last_hours.replace('-', '')[:8].upper()})"])
    for _rcpt, message in messages:
        body = message.get_content()
        assert "/o/org-a/breaches/" in body
        for secret in ("Rapport", "ontvanger", "jeugdige", "DL-"):  # no title, no contents, no reference
            assert secret not in body and secret not in message["Subject"]
    assert not [m for rcpt, m in messages if world.user("b", "privacy_officer").email in rcpt]
    assert all(quiet not in m.get_content() and notified not in m.get_content() and decided_no not in m.get_content()
               for _r, m in messages)

    # The next sweep (a later time slot) sends nothing again.
    _tick(app, utcnow() + timedelta(minutes=16))
    import time
    time.sleep(0.3)
    assert len(smtp.messages) == 3


def test_measure_reminders_go_to_the_owner_before_and_after_the_due_date(app, world, flow, smtp):
    bid = flow.breach("facts")
    owner = world.user("a", "auditor")
    po = flow.api("privacy_officer")
    soon = flow.ok(po.post(f"/api/v1/breaches/{bid}/measures", json={
        "kind": "preventive", "title": "Training", "owner_id": str(owner.id),
        "due_date": (utcnow().date() + timedelta(days=3)).isoformat()}), 201)
    late = flow.ok(po.post(f"/api/v1/breaches/{bid}/measures", json={
        "kind": "corrective", "title": "Verwijderverzoek", "due_date": (utcnow().date() - timedelta(days=1)).isoformat()}), 201)
    flow.ok(po.post(f"/api/v1/breaches/{bid}/measures", json={
        "kind": "preventive", "title": "Later", "owner_id": str(owner.id),
        "due_date": (utcnow().date() + timedelta(days=40)).isoformat()}), 201)
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port)
    _tick(app)
    messages = smtp.wait_for(2)
    assert len(messages) == 2
    assert _subjects(messages, owner.email) == [f"[Lekwijzer] Een maatregel moet binnen een week klaar zijn "
                                                f"(LW-{soon['id'].replace('-', '')[:8].upper()})"]
    assert _subjects(messages, world.user("a", "privacy_officer").email) == [
        f"[Lekwijzer] Een maatregel is over de deadline (LW-{late['id'].replace('-', '')[:8].upper()})"]
    assert f"/o/org-a/measures/{soon['id']}" in [m for r, m in messages if owner.email in r][0].get_content()


def test_the_privacy_officers_hear_of_a_new_report_and_the_fg_of_a_new_breach(app, world, flow, smtp):
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port)
    flow.breach("triaged")
    messages = smtp.wait_for(2)
    assert _subjects(messages, world.user("a", "privacy_officer").email)[0].startswith(
        "[Lekwijzer] Er is een beveiligingsincident gemeld")
    assert _subjects(messages, world.user("a", "fg").email)[0].startswith("[Lekwijzer] Een datalek wacht op uw advies")
