"""Registration data over RDAP (RFC 9082 queries, RFC 9083 answers, RFC 9224 bootstrap).

Which registry answers for a domain is found in IANA's bootstrap file for DNS
(`data/rdap_dns.json`, shipped with the app: no network is needed to find it). An
operator can point `DOMAINS_RDAP_BOOTSTRAP_FILE` at a fresh copy of IANA's file, and
`DOMAINS_RDAP_BASE_URLS` ({"nl": "https://…/"}) overrides single extensions (tests point
them at a registry on loopback).

The registry's answer gives the status (RFC 8056 values), the registrar, the events
(registration, expiration, last changed) and the name servers. A registrant's name is
never stored, only a handle when the registry publishes one.
"""
from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import requests

log = logging.getLogger("lekwijzer.domains")
DEFAULT_BOOTSTRAP = Path(__file__).resolve().parent / "data" / "rdap_dns.json"
MAX_BYTES = 2 * 1024 * 1024


@dataclass
class RdapResult:
    status: str = "unknown"  # ok | not_found | timeout | error | no_service
    url: str | None = None
    statuses: list[str] = field(default_factory=list)
    registrar: str | None = None
    registrant: str | None = None
    registered_at: datetime | None = None
    expires_at: datetime | None = None
    last_changed_at: datetime | None = None
    nameservers: list[str] = field(default_factory=list)


@functools.lru_cache(maxsize=8)
def _bootstrap(path: str) -> dict[str, str]:
    """{label suffix: base URL} from an RFC 9224 file (first https URL of each service)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    table: dict[str, str] = {}
    for entries, urls in data.get("services", []):
        preferred = sorted(urls, key=lambda u: not u.startswith("https://"))
        if not preferred:
            continue
        for entry in entries:
            table[entry.lower().strip(".")] = preferred[0]
    return table


def base_url(name: str, config) -> str | None:
    """The RDAP base URL for `name`: the longest matching suffix wins (RFC 9224 §4)."""
    overrides = {k.lower().strip("."): v for k, v in (config.get("DOMAINS_RDAP_BASE_URLS") or {}).items()}
    table = _bootstrap(str(config.get("DOMAINS_RDAP_BOOTSTRAP_FILE") or DEFAULT_BOOTSTRAP))
    labels = name.lower().split(".")
    for i in range(len(labels)):
        suffix = ".".join(labels[i:])
        if suffix in overrides:
            return overrides[suffix]
        if suffix in table:
            return table[suffix]
    return None


def _date(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _vcard_fn(entity: dict) -> str | None:
    card = entity.get("vcardArray")
    if not (isinstance(card, list) and len(card) == 2 and isinstance(card[1], list)):
        return None
    for prop in card[1]:
        if isinstance(prop, list) and len(prop) >= 4 and prop[0] == "fn" and isinstance(prop[3], str):
            return prop[3].strip() or None
    return None


def _entities(obj: dict):
    for entity in obj.get("entities") or []:
        if isinstance(entity, dict):
            yield entity
            yield from _entities(entity)


def parse(data: dict) -> RdapResult:
    """Read an RFC 9083 domain object."""
    result = RdapResult(status="ok")
    result.statuses = sorted({str(s).lower() for s in data.get("status") or []})
    registered = []
    for event in data.get("events") or []:
        action = str(event.get("eventAction", "")).lower()
        when = _date(event.get("eventDate"))
        if when is None:
            continue
        if action in ("registration", "reregistration"):
            registered.append(when)
        elif action == "expiration":
            result.expires_at = when
        elif action == "last changed":
            result.last_changed_at = when
    result.registered_at = max(registered) if registered else None
    for entity in _entities(data):
        roles = {str(r).lower() for r in entity.get("roles") or []}
        if "registrar" in roles and result.registrar is None:
            name = _vcard_fn(entity) or entity.get("handle")
            iana = next((str(p.get("identifier")) for p in entity.get("publicIds") or []
                         if "iana" in str(p.get("type", "")).lower()), None)
            if name:
                result.registrar = f"{name} (IANA {iana})" if iana else str(name)
        if "registrant" in roles and result.registrant is None and entity.get("handle"):
            result.registrant = str(entity["handle"])[:200]
    if result.registrar:
        result.registrar = result.registrar[:200]
    result.nameservers = sorted({str(ns.get("ldhName", "")).lower().rstrip(".")
                                 for ns in data.get("nameservers") or [] if ns.get("ldhName")})
    return result


def lookup(name: str, config) -> RdapResult:
    base = base_url(name, config)
    if base is None:
        return RdapResult(status="no_service")
    url = base.rstrip("/") + "/domain/" + name
    timeout = float(config.get("DOMAINS_RDAP_TIMEOUT", 10.0))
    body, too_big = b"", False
    try:
        with requests.get(url, headers={"Accept": "application/rdap+json, application/json"},
                          timeout=(timeout, timeout), allow_redirects=True, stream=True) as response:
            chunks, size = [], 0
            for chunk in response.iter_content(65536):
                size += len(chunk)
                if size > MAX_BYTES:
                    too_big = True
                    break
                chunks.append(chunk)
            body = b"".join(chunks)
    except requests.Timeout:
        return RdapResult(status="timeout", url=url)
    except requests.RequestException as exc:
        # A body that stalls half-way comes back as a ConnectionError around a read timeout.
        status = "timeout" if "timed out" in str(exc).lower() else "error"
        log.info("rdap lookup failed: %s", type(exc).__name__)
        return RdapResult(status=status, url=url)
    if response.status_code == 404:
        return RdapResult(status="not_found", url=url)
    if response.status_code != 200 or too_big:
        log.info("rdap lookup answered %s", response.status_code)
        return RdapResult(status="error", url=url)
    try:
        data = json.loads(body)
    except ValueError:
        return RdapResult(status="error", url=url)
    if not isinstance(data, dict) or data.get("objectClassName") != "domain":
        return RdapResult(status="error", url=url)
    result = parse(data)
    result.url = url
    return result
