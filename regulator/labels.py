"""Labels of the statistics' categories (English msgids, Dutch in the catalogue)."""
from lekwijzer.roles import N_

DIMENSION = {"type": N_("Type of incident"), "severity": N_("Severity band"), "size": N_("Size class"),
             "region": N_("Youth-care region")}
MEASURE = {"breaches": N_("Register entries"), "notifications": N_("Notifications to the AP")}
GRANULARITY = {"year": N_("Per year"), "quarter": N_("Per quarter")}
DIMENSION_VALUE = {
    "human_error": N_("Human error"),
    "access": N_("Unauthorised access"),
    "cyber": N_("Cyber incident"),
    "physical": N_("Physical loss or theft"),
    "other": N_("Other or not yet known"),
    "low": N_("Low"),
    "medium": N_("Medium"),
    "high": N_("High"),
    "very_high": N_("Very high"),
    "unknown": N_("Unknown"),
    "lt50": N_("Fewer than 50 employees"),
    "50_249": N_("50 to 249 employees"),
    "250_999": N_("250 to 999 employees"),
    "ge1000": N_("1,000 employees or more"),
    "le24": N_("Within 24 hours"),
    "le48": N_("24 to 48 hours"),
    "le72": N_("48 to 72 hours"),
    "le168": N_("3 to 7 days (late)"),
    "gt168": N_("More than 7 days (late)"),
    "on_time": N_("Within 72 hours"),
    "late": N_("Later than 72 hours"),
}
