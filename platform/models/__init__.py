"""Platform models: organisations, people, memberships, tokens, audit, outbox."""
from .audit import AuditEvent, AuditHead
from .org import Org, OrgKind, Region
from .outbox import OutboxJob
from .token import ApiToken
from .user import Membership, User

__all__ = [
    "ApiToken", "AuditEvent", "AuditHead", "Membership", "Org", "OrgKind", "OutboxJob",
    "Region", "User",
]
