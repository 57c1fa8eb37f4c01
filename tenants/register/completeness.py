"""What a breach still needs before it can be closed (domain.md rule 14, and the rest).

Closing requires the Art. 33(5) triad (facts, effects, remedial action), the decisions,
a settled communication status and a finished notification chain. `missing` lists, in
the order of the page, exactly what is not there yet; the page shows the list, the close
action refuses while it is not empty, and the API returns the same items.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from . import clock
from .enums import HANDLING_STEP, SETTLED_COMMUNICATION


@dataclass(frozen=True)
class Missing:
    code: str
    message: object  # lazy string
    anchor: str  # a section name (edit form) or an anchor on the breach page

    def as_dict(self) -> dict:
        return {"code": self.code, "message": str(self.message), "anchor": self.anchor}


def missing(breach, record) -> list[Missing]:
    out: list[Missing] = []

    def need(condition: bool, code: str, message, anchor: str) -> None:
        if condition:
            out.append(Missing(code, message, anchor))

    # Facts (Art. 33(5): the facts)
    need(not (breach.what_happened or "").strip(), "what_happened", _l("Describe what happened."), "facts")
    need(breach.cause in (None, "tbd"), "cause", _l("Record the cause."), "facts")
    need(breach.incident_type in (None, "tbd"), "incident_type", _l("Record the type of incident."), "facts")
    need(not breach.nature, "nature", _l("Record the nature of the breach (confidentiality, integrity, "
                                         "availability)."), "facts")
    need(breach.processing_activity_id is None, "activity",
         _l("Link the breach to an activity in the processing register."), "facts")
    # People and data
    need(not breach.subject_categories, "subject_categories", _l("Record which groups of people are affected."),
         "people")
    need(not breach.data_categories, "data_categories", _l("Record which kinds of personal data are involved."),
         "people")
    need(breach.persons_count_mode is None, "persons_count", _l("Record how many people are affected."), "people")
    need(breach.persons_count_mode == "tbd", "persons_count_tbd",
         _l("The number of people is still 'to be determined'."), "people")
    # Timeline
    need(breach.aware_at is None, "aware_at", _l("Record when the organisation became aware."), "timeline")
    need(breach.notified_late and not (breach.delay_reason or "").strip(), "delay_reason",
         _l("The AP was notified more than 72 hours after awareness: record the reason for the delay."),
         "timeline")
    need(clock.awareness_gap_too_long(breach.discovered_at, breach.aware_at)
         and not (breach.awareness_justification or "").strip(), "awareness_justification",
         _l("Explain the time between discovery and awareness."), "timeline")
    # Effects and remedial action
    need(not (breach.consequences or "").strip(), "consequences",
         _l("Describe the consequences for the people affected."), "consequences")
    need(not (breach.ended_how or "").strip(), "ended_how", _l("Say whether and how the breach has ended."),
         "consequences")
    corrective = [m for m in record.measures if m.kind == "corrective" and m.status != "cancelled"]
    need(not corrective and not (breach.no_corrective_measures_reason or "").strip(), "corrective",
         _l("Add at least one corrective measure, or record why none is needed."), "measures")
    need(any(m.status not in ("done",) for m in corrective), "corrective_open",
         _l("Corrective measures are still open: carry them out or cancel them."), "measures")
    preventive = [m for m in record.measures if m.kind == "preventive" and m.status != "cancelled"]
    need(not preventive and not (breach.prevention_notes or "").strip(), "prevention",
         _l("Record what prevents this from happening again: a preventive measure or a note."), "prevention")
    # Parties (rule 4)
    need(breach.discovery_source == "processor" and not any(p.role == "processor" for p in record.parties),
         "processor_party", _l("A processor discovered the breach: add the processor under Parties."), "parties")
    # Severity and risk, always with reasoning
    need(not record.assessments, "assessment", _l("Assess the severity and the risk, with reasoning."), "severity")
    # Decisions (rules 5, 6, 12)
    notify = record.current_decision("notify_ap")
    inform = record.current_decision("inform_subjects")
    need(notify is None, "decision_notify", _l("The decision whether to notify the AP has not been taken."),
         "decisions")
    need(inform is None, "decision_inform",
         _l("The decision whether to inform the people affected has not been taken."), "decisions")
    # The notification chain (rule 11)
    initial = next((n for n in record.notifications if n.kind == "initial"), None)
    need(notify is not None and notify.outcome and initial is None, "notification",
         _l("It was decided to notify the AP: record the notification."), "notifications")
    need(breach.followup_open, "followup",
         _l("The initial notification was incomplete: record a complete supplement or a withdrawal."),
         "notifications")
    # Communication (rules 6, 7)
    status = breach.subject_communication_status
    if inform is not None:
        need(status not in SETTLED_COMMUNICATION, "communication",
             _l("It was decided to inform the people affected: record the communication that reached them."),
             "communication")
        need(inform.art34_ground == "c_disproportionate_effort"
             and not any(c.channel == "public_announcement" for c in record.communications),
             "public_announcement",
             _l("Art. 34(3)(c) replaces individual messages by a public announcement: record it."),
             "communication")
    # The six handling steps, each with who and when
    done = {s.step for s in record.steps}
    for step, label in HANDLING_STEP.items():
        need(step not in done, f"step_{step}", _l("Handling step not done: %(step)s", step=_l(label)), "checklist")
    return out
