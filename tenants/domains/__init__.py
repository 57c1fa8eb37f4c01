"""Domain watch: current and retired domains, DNS/RDAP checks, address scans.

Lesson of the SVMN breach (bjzutrecht.nl): a retired domain that lapses and is registered
by someone else receives every e-mail still sent to it. See docs/domains.md.
"""
import os

from flask import Flask

from . import models  # noqa: F401  (tables known to migrations and the isolation walk)

DEFAULTS = {
    # DNS: empty server = the machine's resolvers; "127.0.0.1" (and a port) = that server only.
    "DOMAINS_DNS_SERVER": ("LEKWIJZER_DNS_SERVER", ""),
    "DOMAINS_DNS_PORT": ("LEKWIJZER_DNS_PORT", 53),
    "DOMAINS_DNS_TIMEOUT": ("LEKWIJZER_DNS_TIMEOUT", 5.0),
    # RDAP: IANA bootstrap file (default: shipped), per-extension overrides "nl=https://…,eu=…".
    "DOMAINS_RDAP_BOOTSTRAP_FILE": ("LEKWIJZER_RDAP_BOOTSTRAP_FILE", ""),
    "DOMAINS_RDAP_BASE_URLS": ("LEKWIJZER_RDAP_BASE_URLS", {}),
    "DOMAINS_RDAP_TIMEOUT": ("LEKWIJZER_RDAP_TIMEOUT", 10.0),
    # Findings
    "DOMAINS_EXPIRY_WINDOW_DAYS": ("LEKWIJZER_DOMAIN_EXPIRY_DAYS", 60),
    "DOMAINS_CHECK_EVERY_HOURS": ("LEKWIJZER_DOMAIN_CHECK_HOURS", 24),
    "DOMAINS_UNKNOWN_NOTIFY_AFTER": ("LEKWIJZER_DOMAIN_UNKNOWN_NOTIFY_AFTER", 2),
    # Optional catch-all probe: RCPT TO a made-up address, hang up before DATA. Off by default.
    "DOMAINS_SMTP_PROBE": ("LEKWIJZER_DOMAIN_SMTP_PROBE", False),
    "DOMAINS_SMTP_PROBE_PORT": ("LEKWIJZER_DOMAIN_SMTP_PROBE_PORT", 25),
    "DOMAINS_SMTP_PROBE_TIMEOUT": ("LEKWIJZER_DOMAIN_SMTP_PROBE_TIMEOUT", 10.0),
}


def _from_env(raw: str, default):
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, dict):
        pairs = (item.split("=", 1) for item in raw.split(",") if "=" in item)
        return {k.strip(): v.strip() for k, v in pairs}
    return raw


def init_app(app: Flask) -> None:
    """Register this feature's configuration, blueprints, API and jobs."""
    for key, (env, default) in DEFAULTS.items():
        raw = os.environ.get(env)
        app.config.setdefault(key, _from_env(raw, default) if raw not in (None, "") else default)

    from lekwijzer.apiblueprint import register

    from . import api, demo, jobs, policy, views  # noqa: F401  (jobs, demo seeder, hooks register on import)

    policy.register()
    app.register_blueprint(views.bp)
    app.register_blueprint(views.assets)
    register(api.blp)
