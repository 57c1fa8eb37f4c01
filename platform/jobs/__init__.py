"""Jobs: a transactional outbox in front of rq.

``enqueue("mail.notify", tenant_id=…, user_id=…)`` records an OutboxJob row in the
current transaction. After the transaction commits, the row is handed to Redis (rq); if
Redis is down the row waits and the relay (`lekwijzer clock`, `lekwijzer relay`) sends it
later. A job that rolls back with its transaction never runs. Each run claims its row
first and marks it done at the end, so a job sent twice runs once; rq retries failures
with backoff. In embedded mode rq runs the job inline on an in-memory fake Redis.

Job arguments are identifiers and short codes only (checked here), never contents:
jobs look up what they need in the database, inside the tenant they were given.
"""
from .registry import job, periodic
from .outbox import enqueue, relay
from .queue import set_progress

__all__ = ["enqueue", "job", "periodic", "relay", "set_progress"]
