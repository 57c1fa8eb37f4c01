"""What DNS says about a domain: NS, SOA, MX, and whether mail to it could be received.

The resolver is dnspython's stub resolver. By default it uses the machine's resolvers;
`DOMAINS_DNS_SERVER` / `DOMAINS_DNS_PORT` point it at one server (a company resolver, or
a test server on loopback). A query that gets no answer in `DOMAINS_DNS_TIMEOUT` seconds
makes the result "timeout": the caller then reports "unknown", never "fine".

What DNS can and cannot tell about receiving mail (shown to people, see MAIL in enums):
MX records, or failing those an address record (RFC 5321 §5.1 implicit MX), mean the
domain *can* receive mail at those hosts; a null MX (RFC 7505) means it refuses all mail.
Whether those hosts accept *every* local part (a catch-all, as on bjzutrecht.nl) DNS does
not say. The optional probe (`DOMAINS_SMTP_PROBE`) asks the mail server whether it would
accept a made-up address and hangs up before any message is sent; a server that accepts
may still bounce later, and one that refuses may accept other addresses, so the probe
only makes a catch-all more or less likely. Only reading the mailbox would prove it.
"""
from __future__ import annotations

import logging
import secrets
import smtplib
import socket
from dataclasses import dataclass, field

import dns.exception
import dns.nameserver
import dns.rdatatype
import dns.resolver

log = logging.getLogger("lekwijzer.domains")


@dataclass
class DnsResult:
    status: str = "unknown"  # ok | nxdomain | timeout | error
    ns: list[str] = field(default_factory=list)
    mx: list[tuple[int, str]] = field(default_factory=list)
    soa_mname: str | None = None
    soa_serial: int | None = None
    mail: str | None = None  # mx | implicit | null_mx | none
    mail_hosts: list[str] = field(default_factory=list)
    probe: str | None = None


class _Timeout(Exception):
    pass


def make_resolver(config) -> dns.resolver.Resolver:
    server = (config.get("DOMAINS_DNS_SERVER") or "").strip()
    timeout = float(config.get("DOMAINS_DNS_TIMEOUT", 5.0))
    if server:
        resolver = dns.resolver.Resolver(configure=False)
        port = int(config.get("DOMAINS_DNS_PORT", 53))
        resolver.nameservers = [dns.nameserver.Do53Nameserver(s.strip(), port)
                                for s in server.split(",") if s.strip()]
    else:
        resolver = dns.resolver.Resolver()
    resolver.timeout = timeout
    resolver.lifetime = timeout
    resolver.cache = None  # every check asks afresh
    return resolver


def _host(name) -> str:
    return name.to_text(omit_final_dot=True).lower()


def _query(resolver, name: str, rdtype: str):
    try:
        answer = resolver.resolve(name, rdtype, raise_on_no_answer=False, search=False)
    except dns.resolver.NXDOMAIN:
        raise
    except dns.exception.Timeout as exc:
        raise _Timeout() from exc
    return answer.rrset if answer.rrset is not None else []


def check(name: str, config) -> DnsResult:
    resolver = make_resolver(config)
    result = DnsResult()
    try:
        soa = _query(resolver, name, "SOA")
        for rdata in soa:
            result.soa_mname, result.soa_serial = _host(rdata.mname), int(rdata.serial)
        result.ns = sorted({_host(r.target) for r in _query(resolver, name, "NS")})
        mx = sorted((int(r.preference), _host(r.exchange)) for r in _query(resolver, name, "MX"))
        result.mx = mx
        if len(mx) == 1 and mx[0][1] in ("", ".") and mx[0][0] == 0:
            result.mail = "null_mx"
        elif mx:
            result.mail = "mx"
            result.mail_hosts = [host for _pref, host in mx if host not in ("", ".")]
        elif _query(resolver, name, "A") or _query(resolver, name, "AAAA"):
            result.mail, result.mail_hosts = "implicit", [name]
        else:
            result.mail = "none"
        result.status = "ok"
    except dns.resolver.NXDOMAIN:
        result.status = "nxdomain"
    except _Timeout:
        result.status = "timeout"
    except dns.exception.DNSException as exc:  # SERVFAIL from every server, malformed answers …
        log.info("dns check of a domain failed: %s", type(exc).__name__)
        result.status = "error"
    if result.status == "ok" and result.mail_hosts and config.get("DOMAINS_SMTP_PROBE"):
        result.probe = probe(name, result.mail_hosts, resolver, config)
    return result


def probe(domain: str, hosts: list[str], resolver, config) -> str:
    """Would a mail server of `domain` accept a made-up address? Nothing is ever sent."""
    port = int(config.get("DOMAINS_SMTP_PROBE_PORT", 25))
    timeout = float(config.get("DOMAINS_SMTP_PROBE_TIMEOUT", 10.0))
    helo = config.get("DOMAINS_SMTP_PROBE_HELO") or socket.getfqdn()
    local = "lekwijzer-check-" + secrets.token_hex(6)
    for host in hosts[:2]:
        try:
            addresses = [r.address for r in _query(resolver, host, "A")]
        except (dns.exception.DNSException, _Timeout):
            continue
        for address in addresses[:1]:
            try:
                with smtplib.SMTP(address, port, local_hostname=helo, timeout=timeout) as smtp:
                    smtp.ehlo_or_helo_if_needed()
                    code, _ = smtp.mail("")
                    if code >= 400:
                        continue
                    code, _ = smtp.rcpt(f"{local}@{domain}")
                    smtp.rset()
            except (OSError, smtplib.SMTPException) as exc:
                log.info("mail probe of a domain got no answer: %s", type(exc).__name__)
                continue
            if code in (250, 251):
                return "accepts_random"
            if 500 <= code < 600:
                return "rejects_random"
    return "no_answer"
