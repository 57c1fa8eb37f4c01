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
from flask import g, has_request_context

from .db import db, utcnow
from .models import AuditEvent, AuditHead
from .tenancy import current_tenant_id

GENESIS = "0" * 64
_SAFE = re.compile(r"^[A-Za-z0-9_.:/@+,-]{0,80}$")


class AuditError(ValueError):
    pass


def _canonical(event: AuditEvent) -> bytes:
    payload = [
        str(event.tenant_id), event.seq, event.at.isoformat(timespec="microseconds"),
        str(event.actor_id) if event.actor_id else None, event.actor_kind, event.action,
        event.object_type, event.object_id, event.meta or {}, event.prev_hash,
    ]
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


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
    kind: str  # changed | missing | broken_link | tail_missing | head_missing
    detail: str

    def __str__(self) -> str:
        return f"entry {self.seq}: {self.kind} ({self.detail})"


def verify(tenant_id: uuid.UUID, batch: int = 5000) -> list[Problem]:
    """Walk an organisation's chain; report changed, deleted and cut-off entries."""
    problems: list[Problem] = []
    expected_seq, prev_hash = 1, GENESIS
    last_seq = 0
    stmt = (
        sa.select(AuditEvent).where(AuditEvent.tenant_id == tenant_id)
        .order_by(AuditEvent.seq).execution_options(yield_per=batch)
    )
    for event in db.session.scalars(stmt):
        if event.seq != expected_seq:
            problems.append(Problem(expected_seq, "missing",
                                    f"entries {expected_seq}..{event.seq - 1} are gone"))
        elif event.prev_hash != prev_hash:
            problems.append(Problem(event.seq, "broken_link", "does not follow the entry before it"))
        if compute_hash(event) != event.hash:
            problems.append(Problem(event.seq, "changed", "its contents no longer match its hash"))
        expected_seq, prev_hash, last_seq = event.seq + 1, event.hash, event.seq
    head = db.session.get(AuditHead, tenant_id, populate_existing=True)
    if head is None:
        if last_seq:
            problems.append(Problem(last_seq, "head_missing", "the chain head is gone"))
    elif head.seq != last_seq:
        problems.append(Problem(head.seq, "tail_missing", f"the chain ends at {last_seq}, its head says {head.seq}"))
    elif head.hash != prev_hash:
        problems.append(Problem(head.seq, "changed", "the last entry does not match the chain head"))
    return problems
