"""Every validation rule of domain.md, through the API and through the form.

Each test sends input that breaks one rule and checks that it is refused with a message
on the right field and that nothing was written; then it sends the same input without
the violation and checks that it is accepted, so the refusal came from that rule.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from lekwijzer.db import utcnow

from .conftest import NOTIFIER
from .harness import audit_seq, rows, submit

CHANNELS = pytest.mark.parametrize("channel", ["api", "form"])


def refused(flow, channel, target, bid, data, field, role=None):
    from .harness import TARGETS

    if channel == "form":
        flow.web(role or TARGETS[target][0])  # sign in first: signing in is audited too
    before = audit_seq(flow.app, flow.world.orgs["a"].id)
    answer = submit(flow, channel, target, bid, data, role=role)
    assert answer.status == 422, answer
    assert field in answer.fields, answer
    assert audit_seq(flow.app, flow.world.orgs["a"].id) == before, "something was written"
    return answer


def accepted(flow, channel, target, bid, data, role=None):
    answer = submit(flow, channel, target, bid, data, role=role)
    assert answer.ok, answer
    return answer


def timeline(aware, **over):
    data = {"occurrence_mode": "specific_day", "occurred_from": aware - timedelta(hours=5), "dates_estimated": False,
            "discovery_source": "controller", "discovered_at": aware - timedelta(hours=1), "aware_at": aware,
            "contained_at": aware + timedelta(minutes=30)}
    data.update(over)
    return data


def aware_of(flow, bid):
    from datetime import datetime

    return datetime.fromisoformat(flow.get(bid)["aware_at"])


# --- Rule 1: time order -----------------------------------------------------------------------------

@CHANNELS
def test_rule1_discovery_after_awareness_is_refused(flow, channel):
    bid = flow.breach("triaged")
    aware = aware_of(flow, bid)
    refused(flow, channel, "timeline", bid, timeline(aware, discovered_at=aware + timedelta(minutes=30)), "aware_at")
    accepted(flow, channel, "timeline", bid, timeline(aware))


@CHANNELS
def test_rule1_end_before_start_and_the_future_are_refused(flow, channel):
    bid = flow.breach("triaged")
    aware = aware_of(flow, bid)
    refused(flow, channel, "timeline", bid, timeline(aware, occurrence_mode="period",
                                                     occurred_until=aware - timedelta(hours=8)), "occurred_until")
    refused(flow, channel, "timeline", bid, timeline(aware, ended_at=utcnow() + timedelta(days=1)), "ended_at")
    accepted(flow, channel, "timeline", bid, timeline(aware, occurrence_mode="period",
                                                      occurred_until=aware - timedelta(hours=2)))


@CHANNELS
def test_rule1_notification_and_communication_not_before_awareness(flow, channel):
    bid = flow.breach("decided")
    aware = aware_of(flow, bid)
    early = {"kind": "initial", "sub_type": "complete", "ap_reference": "2026-7654321",
             "submitted_at": aware - timedelta(hours=1), **NOTIFIER}
    refused(flow, channel, "notification", bid, early, "submitted_at")
    message = {"channel": "individual", "sent_at": aware - timedelta(hours=1), "to_legal_representatives": True,
               "all_subjects_reached": True, "content": "Brief aan de ouders met uitleg, gevolgen en maatregelen.",
               "proof": "Archief 2026-01", "covers_contact_point": True, "covers_consequences": True,
               "covers_measures": True}
    refused(flow, channel, "communication", bid, message, "sent_at")
    accepted(flow, channel, "notification", bid, {**early, "submitted_at": aware + timedelta(minutes=30)})
    accepted(flow, channel, "communication", bid, {**message, "sent_at": aware + timedelta(minutes=40)})


@CHANNELS
def test_rule1_awareness_cannot_move_after_a_notification(flow, channel):
    bid = flow.breach("notified", aware_hours_ago=3)
    aware = aware_of(flow, bid)
    later = utcnow() - timedelta(minutes=1)  # the notification was sent 5 minutes ago
    refused(flow, channel, "timeline", bid, timeline(aware, aware_at=later, contained_at=None), "aware_at")
    accepted(flow, channel, "timeline", bid, timeline(aware))


# --- Rule 2: the 72-hour rule ----------------------------------------------------------------------------

@CHANNELS
def test_rule2_late_initial_notification_needs_a_delay_reason(flow, channel):
    bid = flow.breach("decided", aware_hours_ago=80)
    body = {"kind": "initial", "sub_type": "complete", "ap_reference": "2026-1111111",
            "submitted_at": utcnow() - timedelta(minutes=2), **NOTIFIER}
    refused(flow, channel, "notification", bid, body, "delay_reason")
    accepted(flow, channel, "notification", bid, {**body, "delay_reason": "Het weekend was niet goed belegd."})
    breach = flow.get(bid)
    assert breach["notified_late"] is True and breach["clock"]["code"] == "late"
    assert breach["delay_reason"] == "Het weekend was niet goed belegd."


@CHANNELS
def test_rule2_moving_awareness_earlier_makes_a_sent_notification_late(flow, channel):
    bid = flow.breach("notified", aware_hours_ago=3)
    aware = utcnow() - timedelta(hours=100)
    data = timeline(aware)
    refused(flow, channel, "timeline", bid, data, "delay_reason")
    accepted(flow, channel, "timeline", bid, {**data, "delay_reason": "Eerst intern onderzocht."})
    assert flow.get(bid)["notified_late"] is True


def test_rule2_overdue_shows_in_api_and_on_the_page(flow):
    overdue = flow.breach("assessed", aware_hours_ago=80)
    running = flow.breach("assessed", aware_hours_ago=10)
    assert flow.get(overdue)["overdue"] is True and flow.get(overdue)["clock"]["code"] == "overdue"
    assert flow.get(running)["overdue"] is False and flow.get(running)["clock"]["code"] == "running"
    page = flow.web("privacy_officer").get(f"/o/org-a/breaches/{overdue}").get_data(as_text=True)
    assert "lw-clock--overdue" in page and "Te laat met" in page


# --- Rule 3: awareness gap -------------------------------------------------------------------------------

@CHANNELS
def test_rule3_long_gap_between_discovery_and_awareness_needs_justification(flow, channel):
    bid = flow.breach("triaged")
    aware = aware_of(flow, bid)
    data = timeline(aware, discovered_at=aware - timedelta(hours=30), occurred_from=aware - timedelta(hours=40))
    refused(flow, channel, "timeline", bid, data, "awareness_justification")
    accepted(flow, channel, "timeline", bid, {**data, "awareness_justification": "Eerst nagegaan of er persoonsgegevens bij waren."})


@CHANNELS
def test_rule3_also_at_triage(flow, channel):
    incident = flow.incident(hours_ago=40)
    data = {"outcome": "breach", "title": "Brief naar verkeerd adres", "aware_at": utcnow() - timedelta(hours=1)}
    refused(flow, channel, "triage", incident["id"], data, "awareness_justification")
    accepted(flow, channel, "triage", incident["id"], {**data, "awareness_justification": "Pas na navraag bleek het om cliëntgegevens te gaan."})


# --- Rule 4: processor chain --------------------------------------------------------------------------------

@CHANNELS
def test_rule4_processor_discovery_needs_when_the_processor_told_us(flow, channel):
    bid = flow.breach("triaged")
    aware = aware_of(flow, bid)
    data = timeline(aware, discovery_source="processor")
    refused(flow, channel, "timeline", bid, data, "processor_notified_controller_at")
    accepted(flow, channel, "timeline", bid, {**data, "processor_notified_controller_at": aware - timedelta(minutes=30)})


@CHANNELS
def test_rule4_processor_discovery_needs_the_processor_as_party_before_closing(flow, channel, complete_breach):
    bid = complete_breach(processor=True, with_party=False)
    answer = submit(flow, channel, "close", bid, {})
    assert answer.status == 422 and ("under Parties" in answer.text or "onder Partijen" in answer.text), answer
    accepted(flow, channel, "party", bid, {"role": "processor", "name": "Leverancier cliëntvolgsysteem"})
    accepted(flow, channel, "close", bid, {})


# --- Rule 5: decision consistency -----------------------------------------------------------------------------

@CHANNELS
def test_rule5_risk_means_notify(flow, channel):
    bid = flow.breach("advised")  # assessed as high risk
    refused(flow, channel, "notify", bid, {"choice": "no", "reasoning": "Wij vinden het meevallen.",
                                           "deviation_reason": "Anders ingeschat."}, "choice")
    accepted(flow, channel, "notify", bid, {"choice": "yes", "reasoning": "Hoog risico voor het kind."})


@CHANNELS
def test_rule5_not_notifying_with_a_score_of_2_or_more_needs_an_explicit_note(flow, channel):
    bid = flow.breach("advised", assessment={"risk_outcome": "unlikely_risk"})  # SE 4.25, unlikely risk
    data = {"choice": "no", "reasoning": "Ontvanger is een collega met geheimhoudingsplicht.",
            "deviation_reason": "Het risico is onwaarschijnlijk."}
    refused(flow, channel, "notify", bid, data, "override_note")
    accepted(flow, channel, "notify", bid, {**data, "override_note": "De ENISA-score gaat uit van een onbekende ontvanger."})
    assert flow.get(bid)["notify_ap"] is False


@CHANNELS
def test_rule5_no_closing_without_decisions(flow, channel, complete_breach):
    bid = complete_breach(decisions=False)
    answer = submit(flow, channel, "close", bid, {})
    assert answer.status == 422, answer
    assert "has not been taken" in answer.text or "is nog niet genomen" in answer.text, answer


# --- Rule 6: Art. 34 and its exceptions ------------------------------------------------------------------------

@CHANNELS
def test_rule6_high_risk_cannot_be_not_required(flow, channel):
    bid = flow.breach("advised")
    refused(flow, channel, "inform", bid, {"choice": "not_required", "reasoning": "Niet nodig volgens ons.",
                                           "deviation_reason": "Anders ingeschat."}, "choice")
    accepted(flow, channel, "inform", bid, {"choice": "inform", "reasoning": "Ouders informeren per brief."})


@CHANNELS
def test_rule6_exception_needs_ground_justification_and_evidence(flow, channel):
    bid = flow.breach("advised")
    answer = refused(flow, channel, "inform", bid, {"choice": "exempt", "reasoning": "Uitzondering van toepassing.",
                                                    "deviation_reason": "Zie de grond."}, "art34_ground")
    assert {"art34_justification", "art34_evidence"} <= answer.fields


@CHANNELS
def test_rule6_ground_a_needs_intact_encryption(flow, channel):
    bid = flow.breach("advised")
    data = {"choice": "exempt", "art34_ground": "a_unintelligible", "art34_justification": "Versleuteld.",
            "art34_evidence": "Rapport ICT.", "reasoning": "De gegevens waren versleuteld.",
            "deviation_reason": "Versleuteling maakt informeren onnodig."}
    refused(flow, channel, "inform", bid, data, "art34_ground")
    from .conftest import FACTS
    flow.ok(flow.api("privacy_officer").put(f"/api/v1/breaches/{bid}/facts", json={
        **FACTS, "unintelligible": "yes_intact", "measures_in_place": ["data_encryption"]}))
    accepted(flow, channel, "inform", bid, data)


@CHANNELS
def test_rule6_ground_b_needs_a_corrective_measure_carried_out(flow, channel):
    bid = flow.breach("advised")
    data = {"choice": "exempt", "art34_ground": "b_subsequent_measures", "art34_justification": "Risico weggenomen.",
            "art34_evidence": "Bevestiging ontvanger.", "reasoning": "Het hoge risico is weggenomen.",
            "deviation_reason": "Maatregel genomen."}
    refused(flow, channel, "inform", bid, data, "art34_ground")
    flow.ok(flow.api("privacy_officer").post(f"/api/v1/breaches/{bid}/measures", json={
        "kind": "corrective", "title": "E-mail teruggehaald en verwijderd", "status": "done"}), 201)
    accepted(flow, channel, "inform", bid, data)


@CHANNELS
def test_rule6_ground_c_needs_a_public_announcement_before_closing(flow, channel, complete_breach):
    bid = complete_breach(exempt_c=True)
    answer = submit(flow, channel, "close", bid, {})
    assert answer.status == 422 and ("public announcement" in answer.text or "openbare mededeling" in answer.text), answer
    accepted(flow, channel, "communication", bid, {
        "channel": "public_announcement", "sent_at": utcnow() - timedelta(minutes=10), "all_subjects_reached": False,
        "content": "Bericht op de website: wat er gebeurde, de gevolgen en de maatregelen; bel ons bij vragen.",
        "proof": "Schermafdruk website", "covers_contact_point": True, "covers_consequences": True,
        "covers_measures": True})
    accepted(flow, channel, "close", bid, {})


# --- Rule 7: communication content -------------------------------------------------------------------------------

@CHANNELS
def test_rule7_communication_must_have_contact_consequences_measures_and_proof(flow, channel):
    bid = flow.breach("decided")
    message = {"channel": "individual", "sent_at": utcnow() - timedelta(minutes=20), "to_legal_representatives": True,
               "all_subjects_reached": True, "content": "Brief aan de ouders met uitleg, gevolgen en maatregelen.",
               "covers_contact_point": False, "covers_consequences": True, "covers_measures": False,
               "proof": "Archief 2026-02"}
    answer = refused(flow, channel, "communication", bid, message, "covers_contact_point")
    assert "covers_measures" in answer.fields
    complete = {**message, "covers_contact_point": True, "covers_measures": True}
    refused(flow, channel, "communication", bid, {k: v for k, v in complete.items() if k != "proof"}, "proof")
    accepted(flow, channel, "communication", bid, complete)


@CHANNELS
def test_rule7_children_affected_means_informing_their_legal_representatives(flow, channel):
    bid = flow.breach("decided")  # child_client among the people affected
    message = {"channel": "individual", "sent_at": utcnow() - timedelta(minutes=20), "to_legal_representatives": False,
               "all_subjects_reached": True, "content": "Brief aan de jongere met uitleg, gevolgen en maatregelen.",
               "proof": "Archief 2026-03", "covers_contact_point": True, "covers_consequences": True,
               "covers_measures": True}
    refused(flow, channel, "communication", bid, message, "to_legal_representatives")
    accepted(flow, channel, "communication", bid, {**message, "to_legal_representatives": True})


# --- Rule 8: counts ---------------------------------------------------------------------------------------------

@CHANNELS
def test_rule8_counts(flow, channel):
    from .conftest import PEOPLE

    bid = flow.breach("facts")
    refused(flow, channel, "people", bid, {**PEOPLE, "persons_count_mode": "approximate", "persons_min": 10,
                                           "persons_max": 5}, "persons_max")
    refused(flow, channel, "people", bid, {**PEOPLE, "persons_min": 2, "persons_max": 3}, "persons_max")  # exact
    refused(flow, channel, "people", bid, {**PEOPLE, "persons_count_mode": "cannot_determine"}, "persons_min")
    accepted(flow, channel, "people", bid, {**PEOPLE, "persons_count_mode": "cannot_determine", "persons_min": None,
                                            "persons_max": None})


@CHANNELS
def test_rule8_to_be_determined_only_while_the_notification_is_incomplete(flow, channel):
    from .conftest import PEOPLE

    bid = flow.breach("decided", people={"persons_count_mode": "tbd", "persons_min": None, "persons_max": None})
    body = {"kind": "initial", "sub_type": "complete", "ap_reference": "2026-2222222",
            "submitted_at": utcnow() - timedelta(minutes=3), **NOTIFIER}
    refused(flow, channel, "notification", bid, body, "sub_type")
    accepted(flow, channel, "notification", bid, {**body, "sub_type": "incomplete"})
    # Once a complete supplement is sent, the count can no longer be 'to be determined'.
    flow.ok(flow.api("privacy_officer").put(f"/api/v1/breaches/{bid}/people", json=PEOPLE))
    flow.ok(flow.api("privacy_officer").post(f"/api/v1/breaches/{bid}/ap-notifications", json={
        **body, "kind": "supplement", "submitted_at": (utcnow() - timedelta(minutes=1)).isoformat()}), 201)
    refused(flow, channel, "people", bid, {**PEOPLE, "persons_count_mode": "tbd", "persons_min": None,
                                           "persons_max": None}, "persons_count_mode")


def test_rule8_fewer_records_than_people_is_a_warning_only(flow):
    from .conftest import PEOPLE

    bid = flow.breach("facts")
    flow.ok(flow.api("privacy_officer").put(f"/api/v1/breaches/{bid}/people", json={
        **PEOPLE, "persons_count_mode": "approximate", "persons_min": 10, "persons_max": 20, "records_count": 3}))
    assert "records_below_persons" in {w["kind"] for w in flow.get(bid)["warnings"]}


# --- Rule 9: nature ---------------------------------------------------------------------------------------------

@CHANNELS
def test_rule9_nature_needs_an_element_and_its_level(flow, channel):
    from .conftest import FACTS

    bid = flow.breach("triaged")
    refused(flow, channel, "facts", bid, {**FACTS, "nature": []}, "nature")
    refused(flow, channel, "facts", bid, {**FACTS, "confidentiality_level": None}, "confidentiality_level")
    # A level left behind for an element that was not affected counts as nothing (CB 0).
    accepted(flow, channel, "facts", bid, {**FACTS, "availability_level": "permanent"})
    breach = flow.get(bid)
    assert breach["availability_level"] is None and breach["confidentiality_level"] == "known_recipients"


# --- Rule 10: ENISA integrity -----------------------------------------------------------------------------------

@CHANNELS
def test_rule10_adjustment_without_reason_is_refused(flow, channel):
    from .conftest import ASSESSMENT

    bid = flow.breach("people")
    refused(flow, channel, "assessment", bid, {**ASSESSMENT, "dpc_adjustment": -1}, "dpc_adjustment_reason")
    accepted(flow, channel, "assessment", bid, {**ASSESSMENT, "dpc_adjustment": -1,
                                                "dpc_adjustment_reason": "Alleen algemene informatie, geen diagnose."})
    assessment = flow.get(bid)["assessments"][-1]
    assert (assessment["dpc_base"], assessment["dpc_final"], assessment["score"]) == (4, 3, "3.25")


@CHANNELS
def test_rule10_no_score_without_every_input(flow, channel):
    from .conftest import ASSESSMENT

    bid = flow.breach("facts")  # no kinds of data yet
    refused(flow, channel, "assessment", bid, ASSESSMENT, "data_categories")
    bid = flow.breach("people")
    refused(flow, channel, "assessment", bid, {k: v for k, v in ASSESSMENT.items() if k != "ease_of_identification"},
            "ease_of_identification")
    refused(flow, channel, "assessment", bid, {**ASSESSMENT, "malicious": True}, "malicious_reason")  # cause says not malicious
    refused(flow, channel, "assessment", bid, {**ASSESSMENT, "override_band": "low"}, "override_reason")
    refused(flow, channel, "assessment", bid, {**ASSESSMENT, "risk_reasoning": ""}, "risk_reasoning")
    accepted(flow, channel, "assessment", bid, {**ASSESSMENT, "override_band": "high",
                                                "override_reason": "Eén bekende, betrouwbare ontvanger."})


def test_rule10_special_categories_score_4_and_minors_prompt(flow):
    bid = flow.breach("people")  # health data, a child
    page = flow.web("privacy_officer").get(f"/o/org-a/breaches/{bid}/assessment").get_data(as_text=True)
    assert "<strong>4</strong>" in page  # health → sensitive data, base 4
    assert "+1 tot +3" in page  # the ENISA prompt for minors


# --- Rule 11: the notification chain ----------------------------------------------------------------------------

def _notification(kind, ref="2026-1234567", minutes_ago=1, **extra):
    return {"kind": kind, "ap_reference": ref, "submitted_at": utcnow() - timedelta(minutes=minutes_ago),
            **NOTIFIER, **extra}


@CHANNELS
def test_rule11_one_initial_and_follow_ups_refer_to_it(flow, channel):
    bid = flow.breach("notified")
    refused(flow, channel, "notification", bid, _notification("initial", sub_type="complete"), "kind")
    refused(flow, channel, "notification", bid, _notification("supplement", ref="2026-0000000", sub_type="complete"),
            "ap_reference")
    refused(flow, channel, "notification", bid, _notification("amendment", minutes_ago=30), "submitted_at")
    accepted(flow, channel, "notification", bid, _notification("amendment"))


@CHANNELS
def test_rule11_withdrawal_needs_reason_and_nothing_follows_it(flow, channel):
    bid = flow.breach("notified")
    answer = refused(flow, channel, "notification", bid, _notification("withdrawal"), "withdrawal_reason")
    assert "withdrawal_text" in answer.fields
    accepted(flow, channel, "notification", bid, _notification(
        "withdrawal", withdrawal_reason="no_breach_after_investigation",
        withdrawal_text="Na onderzoek bleek de ontvanger binnen de organisatie te werken."))
    refused(flow, channel, "notification", bid, _notification("supplement", sub_type="complete"), "kind")


@CHANNELS
def test_rule11_no_initial_before_the_decision_to_notify(flow, channel):
    bid = flow.breach("advised")
    refused(flow, channel, "notification", bid, _notification("initial", sub_type="complete"), "kind")
    flow.ok(flow.api("board").post(f"/api/v1/breaches/{bid}/decisions/notify-ap", json={
        "choice": "yes", "reasoning": "Hoog risico: melden."}), 201)
    accepted(flow, channel, "notification", bid, _notification("initial", sub_type="complete"))


@CHANNELS
def test_rule11_incomplete_initial_keeps_a_follow_up_open(flow, channel):
    bid = flow.breach("decided")
    accepted(flow, channel, "notification", bid, _notification("initial", sub_type="incomplete", minutes_ago=3))
    breach = flow.get(bid)
    assert breach["followup_open"] is True and "followup" in {m["code"] for m in breach["missing"]}
    accepted(flow, channel, "notification", bid, _notification("supplement", sub_type="incomplete", minutes_ago=2))
    assert flow.get(bid)["followup_open"] is True
    accepted(flow, channel, "notification", bid, _notification("supplement", sub_type="complete"))
    assert flow.get(bid)["followup_open"] is False


# --- Rule 12: decision authority ---------------------------------------------------------------------------------

@CHANNELS
def test_rule12_the_fg_cannot_decide(flow, channel):
    bid = flow.breach("advised")
    answer = submit(flow, channel, "notify", bid, {"choice": "yes", "reasoning": "Melden, zegt de FG."}, role="fg")
    assert answer.status == 403, answer
    assert flow.get(bid)["notify_ap"] is None


def test_rule12_the_fg_cannot_decide_even_with_the_board_role(app, flow, world):
    from lekwijzer.db import db
    from lekwijzer.models import Membership
    from lekwijzer.tenancy import tenant_scope
    import sqlalchemy as sa

    bid = flow.breach("advised")
    with app.app_context(), tenant_scope(world.orgs["a"].id):
        m = db.session.scalar(sa.select(Membership).where(Membership.user_id == world.user("a", "board").id))
        m.roles = ["board", "fg"]
    web = flow.web("board")
    assert web.get(f"/o/org-a/breaches/{bid}/decision/notify_ap").status_code == 403
    assert web.post(f"/o/org-a/breaches/{bid}/decision/notify_ap",
                    data={"choice": "yes", "reasoning": "Ik ben ook bestuur."}).status_code == 403
    assert flow.get(bid)["notify_ap"] is None


@CHANNELS
def test_rule12_departing_from_fg_advice_or_deciding_without_it_needs_a_reason(flow, channel):
    bid = flow.breach("advised", assessment={"risk_outcome": "unlikely_risk"})  # the FG advised: notify
    data = {"choice": "no", "reasoning": "Collega met geheimhoudingsplicht.", "override_note": "Bekende ontvanger."}
    refused(flow, channel, "notify", bid, data, "deviation_reason")
    accepted(flow, channel, "notify", bid, {**data, "deviation_reason": "De ontvanger valt onder geheimhouding."})
    decision = [d for d in flow.get(bid)["decisions"] if d["kind"] == "notify_ap"][-1]
    assert decision["fg_advice_followed"] is False and decision["decided_role"] == "board"
    other = flow.breach("assessed")  # no FG advice at all
    refused(flow, channel, "notify", other, {"choice": "yes", "reasoning": "Hoog risico: melden."}, "no_fg_advice_reason")
    accepted(flow, channel, "notify", other, {"choice": "yes", "reasoning": "Hoog risico: melden.",
                                              "no_fg_advice_reason": "De FG is met vakantie; de termijn loopt af."})


# --- Rule 13: notifier contact -----------------------------------------------------------------------------------

@CHANNELS
def test_rule13_notifier_name_function_and_phone_are_required(flow, channel):
    bid = flow.breach("decided")
    body = _notification("initial", sub_type="complete")
    for field in ("notifier_name", "notifier_function", "notifier_phone"):
        refused(flow, channel, "notification", bid, {k: v for k, v in body.items() if k != field}, field)
    accepted(flow, channel, "notification", bid, body)  # e-mail stays optional


# --- Rule 14: closure --------------------------------------------------------------------------------------------

@CHANNELS
def test_rule14_closing_lists_what_is_missing_and_closes_when_complete(flow, channel, complete_breach):
    bid = flow.breach("assessed")
    answer = submit(flow, channel, "close", bid, {})
    assert answer.status == 422, answer
    expected = "Describe the consequences" if channel == "api" else "Beschrijf de gevolgen"
    assert expected in answer.text, answer
    assert flow.get(bid)["status"] == "open"
    bid = complete_breach()
    accepted(flow, channel, "close", bid, {})
    assert flow.get(bid)["status"] == "closed"


# --- Rule 15: immutability ---------------------------------------------------------------------------------------

def test_rule15_notifications_and_assessments_are_append_only(app, flow, world):
    import sqlalchemy as sa

    from lekwijzer.db import db
    from lekwijzer.tenancy import tenant_scope
    from tenants.register.models import ApNotification, AppendOnlyError, BreachAssessment

    bid = flow.breach("notified")
    with app.app_context(), tenant_scope(world.orgs["a"].id) as session:
        for model, change in ((ApNotification, {"ap_reference": "changed"}), (BreachAssessment, {"risk_outcome": "risk"})):
            row = session.scalar(sa.select(model))
            for key, value in change.items():
                setattr(row, key, value)
            with pytest.raises(AppendOnlyError):
                session.flush()
            session.rollback()
            row = session.scalar(sa.select(model))
            session.delete(row)
            with pytest.raises(AppendOnlyError):
                session.flush()
            session.rollback()
    spec = app.test_client().get("/api/v1/openapi.json").json["paths"]
    for path, operations in spec.items():
        if "ap-notifications" in path or "assessments" in path:
            assert set(operations) - {"parameters"} <= {"get", "post"}, path
    # A new assessment is a new version; the old one stays as it was.
    from .conftest import ASSESSMENT

    flow.ok(flow.api("privacy_officer").post(f"/api/v1/breaches/{bid}/assessments", json={
        **ASSESSMENT, "risk_outcome": "risk", "risk_reasoning": "Na navraag: de ontvanger heeft niets gelezen."}), 201)
    versions = flow.get(bid)["assessments"]
    assert [(a["version"], a["risk_outcome"]) for a in versions] == [(1, "high_risk"), (2, "risk")]


# --- Rule 16: minimisation (warnings, never blocks) ----------------------------------------------------------------

@CHANNELS
def test_rule16_identifiers_in_free_text_warn_but_are_saved(flow, channel):
    from .conftest import FACTS

    bid = flow.breach("triaged")
    text = "Rapport van jeugdige met BSN 123456782 gemaild naar moeder@example.nl, geboren op 12-03-2012."
    answer = accepted(flow, channel, "facts", bid, {**FACTS, "what_happened": text})
    kinds = {(w["field"], w["kind"]) for w in flow.get(bid)["warnings"]}
    assert {("what_happened", "bsn"), ("what_happened", "email"), ("what_happened", "birthdate")} <= kinds
    if channel == "api":
        assert {("what_happened", "bsn")} <= {(w["field"], w["kind"]) for w in answer.body["warnings"]}
        assert "123456782" not in str(answer.body["warnings"])  # a warning never repeats the data
    page = flow.web("privacy_officer").get(f"/o/org-a/breaches/{bid}").get_data(as_text=True)
    assert "burgerservicenummer" in page and "e-mailadres" in page
    # A nine-digit number that fails the eleven-test is not a BSN.
    accepted(flow, channel, "facts", bid, {**FACTS, "what_happened": "Zaaknummer 123456789 is verkeerd gekoppeld."})
    assert not [w for w in flow.get(bid)["warnings"] if w["kind"] == "bsn"]


@CHANNELS
def test_rule16_intake_warns_once_and_sends_when_asked(flow, channel):
    from tenants.register.models import Incident

    org = flow.world.orgs["a"].id
    data = {"what_happened": "Dossier van jeugdige met BSN 123456782 naar verkeerde ouder gestuurd.",
            "noticed_at": utcnow() - timedelta(hours=1)}
    before = rows(flow.app, org, Incident)
    answer = submit(flow, channel, "report", None, data)
    if channel == "api":
        assert answer.status == 201 and answer.body["warnings"][0]["kind"] == "bsn"
        assert rows(flow.app, org, Incident) == before + 1
    else:
        assert answer.status == 200 and "burgerservicenummer" in answer.text and "Toch versturen" in answer.text
        assert rows(flow.app, org, Incident) == before  # shown first, not yet sent
        answer = submit(flow, channel, "report", None, {**data, "send_anyway": True})
        assert answer.status == 302 and rows(flow.app, org, Incident) == before + 1
