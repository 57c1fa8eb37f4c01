"""The audit trail: append-only and hash-chained per organisation.

Each entry records who did what to which object and when, never contents. It is
written in the same transaction as the change it records, so a change and its entry
commit or roll back together. The head row (latest seq and hash) serialises writers per
organisation and shows when entries were cut off the end of the chain.
"""
from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Response, g, has_request_context, stream_with_context

from .db import db, utcnow
from .models import AuditEvent, AuditHead
from .tenancy import current_tenant_id, tenant_scope

GENESIS = "0" * 64
_SAFE = re.compile(r"^[A-Za-z0-9_.:/@+,-]{0,80}$")


class AuditError(ValueError):
    pass


# What an entry's hash covers, in this order (also the fields of an exported entry).
HASHED = ("tenant_id", "seq", "at", "actor_id", "actor_kind", "action", "object_type", "object_id", "meta",
          "prev_hash")


def hashed_fields(event: AuditEvent) -> dict:
    return {
        "tenant_id": str(event.tenant_id), "seq": event.seq, "at": event.at.isoformat(timespec="microseconds"),
        "actor_id": str(event.actor_id) if event.actor_id else None, "actor_kind": event.actor_kind,
        "action": event.action, "object_type": event.object_type, "object_id": event.object_id,
        "meta": event.meta or {}, "prev_hash": event.prev_hash,
    }


def digest(fields: dict) -> str:
    """SHA-256 of the canonical JSON of an entry's hashed fields (a list, in HASHED order)."""
    payload = [fields[name] for name in HASHED]
    return hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def compute_hash(event: AuditEvent) -> str:
    return digest(hashed_fields(event))


def _check_meta(meta: dict | None) -> dict:
    # Metadata is for codes and identifiers (a role, a status), never for free text.
    meta = dict(meta or {})
    for key, value in meta.items():
        if not _SAFE.match(str(key)):
            raise AuditError(f"audit meta key {key!r} is not an identifier")
        if isinstance(value, (bool, int)) or value is None:
            continue
        if isinstance(value, uuid.UUID):
            meta[key] = str(value)
            continue
        if not isinstance(value, str) or not _SAFE.match(value):
            raise AuditError(f"audit meta {key!r} must be a short code, not free text")
    return meta


def _actor():
    if has_request_context():
        actor = getattr(g, "actor", None)
        if actor is not None:
            return actor
    return ("system", None)


def record(action: str, object_type: str | None = None, object_id=None, *,
           meta: dict | None = None, tenant_id: uuid.UUID | None = None,
           actor: tuple[str, uuid.UUID | None] | None = None) -> AuditEvent:
    """Append an entry to the current organisation's chain (in the current transaction)."""
    tenant_id = tenant_id or current_tenant_id()
    if tenant_id is None:
        raise AuditError("audit entry without an organisation")
    if tenant_id != current_tenant_id():
        raise AuditError("audit entry for another organisation than the current one")
    kind, actor_id = actor or _actor()
    session = db.session
    head = session.get(AuditHead, tenant_id, with_for_update=True, populate_existing=True)
    if head is None:
        head = AuditHead(tenant_id=tenant_id, seq=0, hash=GENESIS)
        session.add(head)
    event = AuditEvent(
        tenant_id=tenant_id, id=uuid.uuid4(), seq=head.seq + 1, at=utcnow(), actor_id=actor_id,
        actor_kind=kind, action=action, object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        meta=_check_meta(meta), prev_hash=head.hash,
    )
    event.hash = compute_hash(event)
    head.seq, head.hash = event.seq, event.hash
    session.add(event)
    return event


@dataclass(frozen=True)
class Problem:
    seq: int
    kind: str  # changed | missing | broken_link | tail_missing | head_missing | unreadable (a file)
    detail: str

    def __str__(self) -> str:
        return f"entry {self.seq}: {self.kind} ({self.detail})"


@dataclass
class _Walk:
    """Following a chain entry by entry: what was expected next, and what was wrong."""
    problems: list[Problem]
    expected_seq: int = 1
    prev_hash: str = GENESIS
    last_seq: int = 0

    def step(self, seq: int, prev_hash: str, stored_hash: str, computed_hash: str) -> None:
        if seq != self.expected_seq:
            self.problems.append(Problem(self.expected_seq, "missing",
                                         f"entries {self.expected_seq}..{seq - 1} are gone"))
        elif prev_hash != self.prev_hash:
            self.problems.append(Problem(seq, "broken_link", "does not follow the entry before it"))
        if computed_hash != stored_hash:
            self.problems.append(Problem(seq, "changed", "its contents no longer match its hash"))
        self.expected_seq, self.prev_hash, self.last_seq = seq + 1, stored_hash, seq

    def end(self, head_seq: int | None, head_hash: str | None) -> list[Problem]:
        """The chain's last entry against its head (None: there is no head)."""
        if head_seq is None:
            if self.last_seq:
                self.problems.append(Problem(self.last_seq, "head_missing", "the chain head is gone"))
        elif head_seq != self.last_seq:
            self.problems.append(Problem(head_seq, "tail_missing",
                                         f"the chain ends at {self.last_seq}, its head says {head_seq}"))
        elif head_hash != self.prev_hash:
            self.problems.append(Problem(head_seq, "changed", "the last entry does not match the chain head"))
        return self.problems


def _entries(tenant_id: uuid.UUID, batch: int, until_seq: int | None = None):
    stmt = sa.select(AuditEvent).where(AuditEvent.tenant_id == tenant_id)
    if until_seq is not None:
        stmt = stmt.where(AuditEvent.seq <= until_seq)
    return db.session.scalars(stmt.order_by(AuditEvent.seq).execution_options(yield_per=batch))


def verify(tenant_id: uuid.UUID, batch: int = 5000) -> list[Problem]:
    """Walk an organisation's chain; report changed, deleted and cut-off entries."""
    walk = _Walk([])
    for event in _entries(tenant_id, batch):
        walk.step(event.seq, event.prev_hash, event.hash, compute_hash(event))
    head = db.session.get(AuditHead, tenant_id, populate_existing=True)
    return walk.end(head.seq if head else None, head.hash if head else None)


# --- Export: the chain as a file anyone can check without Lekwijzer --------------------------

EXPORT_FORMAT = "lekwijzer-audit/1"


def export_lines(tenant_id: uuid.UUID, batch: int = 5000):
    """The chain as JSON Lines, oldest first: a first line with the chain head at the moment
    of export, then per entry its hashed fields and its hash. Entries added while the file
    is written are left out, so the file always ends at the head it names. See docs/audit.md
    for checking it by hand; `lekwijzer audit verify-file` does the same."""
    head = db.session.get(AuditHead, tenant_id, populate_existing=True)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    yield _line({"format": EXPORT_FORMAT, "tenant_id": str(tenant_id), "exported_at": utcnow().isoformat(),
                 "head_seq": head_seq, "head_hash": head_hash})
    for event in _entries(tenant_id, batch, until_seq=head_seq):
        yield _line({**hashed_fields(event), "hash": event.hash})


def download(tenant_id: uuid.UUID, slug: str) -> Response:
    """The export as a file download (pages and API alike). The download is itself an entry
    of the chain, committed before the file is written, so the file holds it."""
    record("audit.exported", "org", tenant_id)
    db.session.commit()
    filename = f"audittrail-{slug}-{utcnow():%Y%m%d-%H%M}.jsonl"
    return Response(stream_with_context(_streamed(tenant_id)), mimetype="application/x-ndjson",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _streamed(tenant_id: uuid.UUID):
    # The body is written after the view has returned, by a session of its own: name the
    # organisation again there (the request's tenant does not carry over).
    with tenant_scope(tenant_id):
        yield from export_lines(tenant_id)


def _line(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def verify_lines(lines) -> list[Problem]:
    """Check an exported chain (the lines of the file): every entry's hash, every link, and
    that the file ends at the head it names (nothing cut off the end)."""
    lines = iter(lines)
    try:
        header = json.loads(next(lines))
    except (StopIteration, ValueError):
        return [Problem(0, "unreadable", "the file does not start with an export header")]
    if not isinstance(header, dict) or header.get("format") != EXPORT_FORMAT:
        return [Problem(0, "unreadable", f"not a {EXPORT_FORMAT} file")]
    walk = _Walk([])
    for number, line in enumerate(lines, start=2):
        try:
            entry = json.loads(line)
            fields = {name: entry[name] for name in HASHED}
            seq, stored = int(entry["seq"]), str(entry["hash"])
        except (ValueError, KeyError, TypeError):
            walk.problems.append(Problem(walk.expected_seq, "unreadable", f"line {number} is not an entry"))
            continue
        walk.step(seq, fields["prev_hash"], stored, digest(fields))
    return walk.end(header.get("head_seq"), header.get("head_hash"))
