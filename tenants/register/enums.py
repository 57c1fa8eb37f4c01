"""The register's vocabularies: stable English keys, labels as msgids (Dutch in the catalogue).

Sources: domain.md "Implications for the data model" (EDPB template f50–f97, the AP form,
ENISA 2013). Keys never change; labels may.
"""
from __future__ import annotations

from lekwijzer.roles import N_


def choices(mapping: dict[str, str]) -> list[tuple[str, str]]:
    from flask_babel import gettext

    return [(key, gettext(label)) for key, label in mapping.items()]


INCIDENT_STATUS = {
    "new": N_("Reported, awaiting triage"),
    "breach": N_("Personal-data breach (in the register)"),
    "not_breach": N_("Security incident, no personal-data breach"),
}

NATURE = {
    "confidentiality": N_("Confidentiality (read, copied, disclosed)"),
    "integrity": N_("Integrity (altered)"),
    "availability": N_("Availability (lost, deleted, inaccessible)"),
}
# ENISA circumstances of breach: level key -> (score, label)
CONFIDENTIALITY_LEVEL = {
    "none_evidence": ("0", N_("Data exposed, no evidence of unlawful processing")),
    "known_recipients": ("0.25", N_("Disclosed to a known number of recipients")),
    "unknown_recipients": ("0.5", N_("Disclosed to an unknown number of recipients")),
}
INTEGRITY_LEVEL = {
    "altered_no_misuse": ("0", N_("Altered, no evidence of wrong use")),
    "misuse_recoverable": ("0.25", N_("Altered and possibly used wrongly; recoverable")),
    "misuse_not_recoverable": ("0.5", N_("Altered and possibly used wrongly; not recoverable")),
}
AVAILABILITY_LEVEL = {
    "recoverable_easily": ("0", N_("Can be recovered without difficulty")),
    "temporary": ("0.25", N_("Temporarily unavailable")),
    "permanent": ("0.5", N_("Permanently lost")),
}
UNINTELLIGIBLE = {
    "yes_intact": N_("Yes: encrypted or otherwise unintelligible, protection intact"),
    "measures_likely_subverted": N_("Protected, but the protection was probably broken"),
    "no": N_("No"),
    "cannot_assess": N_("Cannot be assessed"),
    "tbd": N_("To be determined"),
}

INCIDENT_TYPE = {
    # human error
    "mail_misdelivered": N_("Post or e-mail lost, opened or delivered to the wrong address"),
    "sent_by_mistake": N_("Sent by mistake"),
    "email_open_distribution": N_("E-mail with open recipients (cc instead of bcc)"),
    "displayed_to_wrong_recipient": N_("Shown to the wrong person"),
    "wrong_data_subject_shown": N_("Data in the wrong client's file"),
    "verbal_disclosure": N_("Disclosed verbally"),
    "unintended_publication": N_("Published unintentionally"),
    # access
    "abuse_of_access_by_employee": N_("Unauthorised viewing by an employee"),
    "incorrect_access_permissions": N_("Access rights too broad"),
    "unauthorised_access_it": N_("Unauthorised access to a system"),
    "unauthorised_modification": N_("Unauthorised modification"),
    # cyber
    "hacking_malware": N_("Hacking or malware"),
    "ransomware": N_("Ransomware"),
    "phishing_social_engineering": N_("Phishing or social engineering"),
    "vulnerability_exploited": N_("Vulnerability exploited"),
    "data_exfiltration": N_("Data exfiltration"),
    "misconfiguration": N_("Misconfiguration"),
    "technical_malfunction": N_("Technical malfunction"),
    # physical
    "device_lost_or_stolen": N_("Device lost or stolen"),
    "paper_lost_stolen_insecure": N_("Paper lost, stolen or left unsecured"),
    "e_waste": N_("Data on discarded equipment"),
    "incorrect_paper_disposal": N_("Paper disposed of incorrectly"),
    "data_deleted_destroyed": N_("Data deleted or destroyed"),
    "other": N_("Other"),
    "tbd": N_("To be determined"),
}
# Buckets for AP-style statistics.
AP_BUCKET = {
    "mail_misdelivered": "post", "sent_by_mistake": "email", "email_open_distribution": "email",
    "hacking_malware": "cyber", "ransomware": "cyber", "phishing_social_engineering": "cyber",
    "vulnerability_exploited": "cyber", "data_exfiltration": "cyber", "misconfiguration": "cyber",
}

CAUSE = {
    "internal_non_malicious": N_("Internal, not malicious (human error)"),
    "internal_malicious": N_("Internal, malicious"),
    "external_non_malicious": N_("External, not malicious"),
    "external_malicious": N_("External, malicious"),
    "unknown": N_("Unknown"),
    "tbd": N_("To be determined"),
}
MALICIOUS_CAUSES = {"internal_malicious", "external_malicious"}

DISCOVERY_SOURCE = {
    "controller": N_("Our own organisation"),
    "processor": N_("A processor"),
    "data_subject": N_("A person affected"),
    "external_party": N_("Another party"),
    "press": N_("The press"),
    "other": N_("Other"),
}

OCCURRENCE_MODE = {
    "specific_day": N_("On a specific day"),
    "period": N_("During a period"),
    "ongoing": N_("Since a date, still ongoing"),
    "undetermined": N_("Cannot be determined"),
    "tbd": N_("To be determined"),
}

# Personal-data categories: key -> (gdpr class, ENISA data category, label)
# ENISA categories: simple (base 1), behavioural (2), financial (3), sensitive (4).
DATA_CATEGORY = {
    "name_address": ("ordinary", "simple", N_("Name, address and place of residence")),
    "contact": ("ordinary", "simple", N_("Telephone numbers and e-mail addresses")),
    "sex_birthdate_age": ("ordinary", "simple", N_("Sex, date of birth and/or age")),
    "bsn": ("national_id", "simple", N_("Citizen service number (BSN)")),
    "id_document_copy": ("ordinary", "simple", N_("Copies of passports or other ID documents")),
    "credentials": ("ordinary", "simple", N_("Login details (score by what they open)")),
    "financial": ("ordinary", "financial", N_("Financial data")),
    "payment_means": ("ordinary", "financial", N_("Payment means (card, account) data")),
    "location": ("ordinary", "behavioural", N_("Location data")),
    "profile": ("ordinary", "behavioural", N_("Behaviour, preferences and habits")),
    "official_documents": ("ordinary", "simple", N_("Official documents")),
    "health": ("special_art9", "sensitive", N_("Health (incl. mental health, diagnosis, treatment plan)")),
    "genetic": ("special_art9", "sensitive", N_("Genetic data")),
    "biometric": ("special_art9", "sensitive", N_("Biometric data")),
    "racial_ethnic": ("special_art9", "sensitive", N_("Racial or ethnic origin")),
    "political": ("special_art9", "sensitive", N_("Political opinions")),
    "religious": ("special_art9", "sensitive", N_("Religion or belief")),
    "sex_life_orientation": ("special_art9", "sensitive", N_("Sex life or sexual orientation")),
    "trade_union": ("special_art9", "sensitive", N_("Trade-union membership")),
    "criminal": ("criminal_art10", "sensitive", N_("Criminal-law data (incl. youth probation)")),
    "family_situation": ("ordinary", "simple", N_("Family situation and parenting problems")),
    "child_abuse_domestic_violence": ("ordinary", "simple", N_("Child abuse or domestic violence")),
    "child_protection_measure": ("ordinary", "simple", N_("Child-protection measure (supervision, guardianship, placement)")),
    "reporter_identity": ("ordinary", "simple", N_("Identity of a person who reported concerns")),
    "education_school": ("ordinary", "simple", N_("Education and school")),
    "other": ("ordinary", "simple", N_("Other")),
    "unknown": ("ordinary", "simple", N_("Not yet known")),
}
# Youth-care categories: ordinary in law, but ENISA's "minors / personal safety" row applies.
YOUTH_CARE_SENSITIVE = {"family_situation", "child_abuse_domestic_violence", "child_protection_measure",
                        "reporter_identity"}

SUBJECT_CATEGORY = {
    "child_client": (N_("Child or young client"), "minors"),
    "young_adult_client": (N_("Young adult client (18–23)"), "patients"),
    "parent_guardian": (N_("Parent with authority or guardian"), "customers"),
    "foster_parent": (N_("Foster parent or family-home parent"), "customers"),
    "family_network": (N_("Other family members or network"), "additional"),
    "reporter": (N_("Person who reported concerns"), "vulnerable_individuals"),
    "employee": (N_("Employee (incl. former or candidate)"), "employees"),
    "contractor": (N_("Contractor"), "additional"),
    "chain_professional": (N_("Professional in the chain (referrer, GP, school)"), "additional"),
    "vulnerable_other": (N_("Other vulnerable people"), "vulnerable_individuals"),
    "other": (N_("Other"), "additional"),
    "unknown": (N_("Not yet known"), "not_yet_known"),
}
MINOR_OR_VULNERABLE = {"child_client", "reporter", "vulnerable_other"}

COUNT_MODE = {
    "exact": N_("Exact"),
    "approximate": N_("Approximately"),
    "cannot_determine": N_("Cannot be determined"),
    "tbd": N_("To be determined"),
}

MEASURES_IN_PLACE = {
    "pseudonymisation": N_("Pseudonymisation"),
    "backup": N_("Backup"),
    "data_encryption": N_("Encryption"),
    "policies": N_("Policies"),
    "training": N_("Training"),
    "incident_log": N_("Incident logging"),
    "access_levels": N_("Access levels"),
    "mfa": N_("Logical access control (MFA)"),
    "audits": N_("Audits"),
    "physical_access": N_("Physical access control"),
    "up_to_date_it": N_("Up-to-date IT"),
    "other": N_("Other"),
}

IMPACT = {
    "loss_of_control": N_("Loss of control over their data"),
    "limitation_of_rights": N_("Limitation of their rights"),
    "discrimination": N_("Discrimination"),
    "identity_fraud": N_("Identity theft or fraud"),
    "financial_loss": N_("Financial loss"),
    "reversal_pseudonymisation": N_("Reversal of pseudonymisation"),
    "reputation": N_("Damage to reputation"),
    "professional_secrecy": N_("Loss of confidentiality of data under professional secrecy"),
    "economic_social": N_("Other significant economic or social disadvantage"),
    "physical_mental_harm": N_("Physical or mental harm"),
}
IMPACT_SEVERITY = {"minor": N_("Minor"), "moderate": N_("Moderate"), "severe": N_("Severe"),
                   "tbd": N_("To be determined")}

RISK_OUTCOME = {
    "unlikely_risk": N_("Unlikely to result in a risk"),
    "risk": N_("Risk (not high)"),
    "high_risk": N_("High risk"),
    "needs_more_info": N_("More information needed"),
}
ENISA_BAND = {"low": N_("Low"), "medium": N_("Medium"), "high": N_("High"), "very_high": N_("Very high")}

SUBJECT_COMMUNICATION_STATUS = {
    "done": N_("Informed"),
    "planned_date": N_("Planned on a date"),
    "planned_tbd": N_("Planned, date to be determined"),
    "investigation_ongoing": N_("Investigation ongoing"),
    "not_required_not_high_risk": N_("Not required: no high risk"),
    "exempt_art34_3": N_("Not required: an Art. 34(3) exception applies"),
}
ART34_GROUND = {
    "a_unintelligible": N_("(a) The data were unintelligible to others (e.g. encrypted)"),
    "b_subsequent_measures": N_("(b) Subsequent measures removed the high risk"),
    "c_disproportionate_effort": N_("(c) Disproportionate effort: public communication instead"),
}
CHANNEL = {"individual": N_("Individually (letter, e-mail, phone, conversation)"),
           "public_announcement": N_("Public announcement"), "other": N_("Other")}

AP_NOTIFICATION_KIND = {"initial": N_("Initial notification"), "supplement": N_("Supplement"),
                        "amendment": N_("Amendment"), "withdrawal": N_("Withdrawal")}
AP_SUB_TYPE = {"complete": N_("Complete"), "incomplete": N_("Incomplete (to be supplemented)")}
WITHDRAWAL_REASON = {
    "duplicate": N_("Duplicate notification"),
    "no_breach_after_investigation": N_("No breach after investigation"),
    "risk_reassessed_unlikely": N_("Risk reassessed as unlikely"),
    "filing_error": N_("Filed in error"),
    "other": N_("Other"),
}

DECISION_KIND = {"notify_ap": N_("Notify the AP"), "inform_subjects": N_("Inform the people affected")}
DECISION_ROLE = {"board": N_("Board"), "mandated_manager": N_("Mandated manager")}

STAKEHOLDER_GROUP = {
    "clients": N_("Clients and their families"),
    "staff": N_("Staff"),
    "partners": N_("Partners and care providers"),
    "commissioners": N_("Commissioning municipalities"),
    "public": N_("The public"),
    "press": N_("The press"),
    "regulators": N_("Supervisors (AP, inspectorate)"),
}

HANDLING_STEP = {
    "establish": N_("1. Establish the breach"),
    "contain": N_("2. Contain it"),
    "investigate": N_("3. Investigate"),
    "notify_ap": N_("4. Notify the AP (or record why not)"),
    "inform_subjects": N_("5. Inform the people affected (or record why not)"),
    "prevent_recurrence": N_("6. Prevent recurrence"),
}

PARTY_ROLE = {"processor": N_("Processor"), "sub_processor": N_("Sub-processor"),
              "joint_controller": N_("Joint controller"), "other": N_("Other party")}

MEASURE_KIND = {"corrective": N_("Corrective"), "preventive": N_("Preventive")}
MEASURE_STATUS = {"planned": N_("Planned"), "in_progress": N_("In progress"), "done": N_("Implemented"),
                  "cancelled": N_("Cancelled")}

BREACH_STATUS = {"open": N_("Open"), "closed": N_("Closed")}

# --- The workflow's own vocabularies ---------------------------------------------------

TRIAGE_OUTCOME = {
    "breach": N_("A personal-data breach: enter it in the register"),
    "not_breach": N_("Not a personal-data breach: keep it in the incident log"),
}
PEOPLE_ESTIMATE = {
    "1": N_("One person"),
    "2-10": N_("2 to 10 people"),
    "11-100": N_("11 to 100 people"),
    "101-1000": N_("101 to 1,000 people"),
    "1000+": N_("More than 1,000 people"),
    "unknown": N_("I do not know"),
}
EASE_OF_IDENTIFICATION = {
    "0.25": N_("Negligible (0.25): extremely difficult to link the data to a person"),
    "0.5": N_("Limited (0.5): possible with some effort"),
    "0.75": N_("Significant (0.75): possible with little effort"),
    "1": N_("Maximum (1): the person can be identified directly from the data"),
}
DPC_ADJUSTMENT = {"-3": "−3", "-2": "−2", "-1": "−1", "0": "0", "1": "+1", "2": "+2", "3": "+3"}
ENISA_PROMPT = {
    "minors_vulnerable": N_("Children or other vulnerable people are affected: ENISA's table allows +1 to "
                            "+3 on simple data when the information can be critical for their safety or "
                            "their physical or psychological condition."),
    "youth_care_context": N_("Youth-care data (family situation, child abuse, child-protection measures, "
                             "the identity of a reporter) are ordinary data in law but usually justify "
                             "+2 or +3 on simple data; the identity of a reporter usually +3."),
    "credentials": N_("Login details are scored by the data they give access to."),
    "unknown_category": N_("The kind of data is not known yet: the score is provisional."),
}
# Inform decision (Art. 34): what the decision says about informing the people affected.
INFORM_CHOICE = {
    "inform": N_("Inform the people affected"),
    "not_required": N_("Do not inform: no high risk"),
    "exempt": N_("Do not inform individually: an Art. 34(3) exception applies"),
}
SETTLED_COMMUNICATION = {"done", "not_required_not_high_risk", "exempt_art34_3"}
NOTIFY_CHOICE = {"yes": N_("Notify the AP"), "no": N_("Do not notify the AP")}

SECTIONS = {
    "facts": N_("Facts"),
    "people": N_("People and data"),
    "timeline": N_("Timeline"),
    "consequences": N_("Consequences and ending"),
    "prevention": N_("Prevention"),
}
MANDATE_SCOPE = DECISION_KIND
REMINDER_KIND = {
    "clock_24h": N_("24 hours since awareness"),
    "clock_48h": N_("48 hours since awareness"),
    "clock_66h": N_("66 hours since awareness: 6 hours left"),
    "measure_due": N_("Measure due within a week"),
    "measure_overdue": N_("Measure past its due date"),
}


def label_of(mapping: dict, key) -> str | None:
    """The msgid that labels `key` in any of the mappings above (some hold tuples)."""
    entry = mapping.get(key)
    if entry is None:
        return None
    if isinstance(entry, tuple):
        if mapping is DATA_CATEGORY:
            return entry[2]
        if any(mapping is m for m in (CONFIDENTIALITY_LEVEL, INTEGRITY_LEVEL, AVAILABILITY_LEVEL)):
            return entry[1]
        return entry[0]
    return entry


def options(mapping: dict, keys=None) -> list[tuple[str, str]]:
    """(key, translated label) pairs for a form."""
    from flask_babel import gettext

    return [(key, gettext(label_of(mapping, key))) for key in (keys if keys is not None else mapping)]
