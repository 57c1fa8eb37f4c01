"""Pure rules of domain watch: names, host lists, which address is on which domain."""
from __future__ import annotations

import re

import idna

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class NameError_(ValueError):
    """Not a usable domain or host name."""


def normalise_name(value: str, *, min_labels: int = 2) -> str:
    """A domain or host name as the DNS knows it: A-labels, lower case, no trailing dot."""
    name = (value or "").strip().rstrip(".").lower()
    if not name or " " in name or "@" in name or "/" in name:
        raise NameError_(value)
    if name.startswith("*."):
        raise NameError_(value)
    try:
        if not name.isascii():
            name = idna.encode(name, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise NameError_(value) from exc
    labels = name.split(".")
    if len(name) > 253 or len(labels) < min_labels or not all(_LABEL.match(label) for label in labels):
        raise NameError_(value)
    if labels[-1].isdigit():
        raise NameError_(value)  # an IP address is not a domain
    return name


def normalise_host_pattern(value: str) -> str:
    """An expected server: a host name, or `*.provider.example` for any host under it."""
    value = (value or "").strip().rstrip(".").lower()
    if value.startswith("*."):
        return "*." + normalise_name(value[2:])
    return normalise_name(value)


def split_lines(value) -> list[str]:
    """A textarea (one per line, or separated by commas/semicolons) or a list."""
    if value is None:
        return []
    if isinstance(value, str):
        parts = re.split(r"[\n\r,;]+", value)
    else:
        parts = [str(v) for v in value]
    out: list[str] = []
    for part in parts:
        part = part.strip()
        if part and part not in out:
            out.append(part)
    return out


def host_listed(host: str, patterns: list[str]) -> bool:
    host = host.rstrip(".").lower()
    for pattern in patterns:
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]):
                return True
        elif host == pattern:
            return True
    return False


def unlisted(hosts: list[str], patterns: list[str]) -> list[str]:
    return sorted({h for h in hosts if not host_listed(h, patterns)})


def address_domain(address: str) -> str | None:
    """The domain of an e-mail address, normalised; None when it has none."""
    at = address.rfind("@")
    if at < 1:
        return None
    domain = address[at + 1:].strip().rstrip(".").lower()
    if not domain:
        return None
    if not domain.isascii():
        try:
            domain = idna.encode(domain, uts46=True).decode("ascii")
        except idna.IDNAError:
            return None
    return domain


def covering(domain: str, names: set[str] | frozenset[str]) -> str | None:
    """The listed name that `domain` is, or lies under (x.bjz.nl is under bjz.nl)."""
    if domain in names:
        return domain
    dot = domain.find(".")
    while dot != -1:
        parent = domain[dot + 1:]
        if parent in names:
            return parent
        dot = domain.find(".", dot + 1)
    return None
