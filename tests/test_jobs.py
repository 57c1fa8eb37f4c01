"""Jobs behind a transactional outbox: never lost when Redis is down, never run for a
rollback, delivered once, and arguments that cannot carry contents."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from lekwijzer.db import db
from lekwijzer.jobs import enqueue
from lekwijzer.jobs.outbox import JobArgumentError
from lekwijzer.models import AuditEvent, OutboxJob
from lekwijzer.tenancy import tenant_scope
from tests.support import services


def test_a_job_of_a_rolled_back_transaction_never_runs(app, world):
    with app.app_context():
        with pytest.raises(RuntimeError):
            with tenant_scope(world.orgs["a"].id):
                enqueue("mail.notify", tenant_id=world.orgs["a"].id, user_id=world.user("a", "reporter").id,
                        kind="test")
                raise RuntimeError("the change failed")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxJob)) == 0


def test_job_arguments_must_be_ids_or_codes(app, world):
    with app.app_context():
        with pytest.raises(JobArgumentError):
            enqueue("mail.notify", tenant_id=world.orgs["a"].id, user_id="Jan de Vries, Dorpsstraat 1", kind="test")


def test_inline_mode_runs_the_job_after_commit(app, world, smtp):
    app.config.update(MAIL_BACKEND="smtp", SMTP_PORT=smtp.port)
    with app.app_context(), tenant_scope(world.orgs["a"].id):
        enqueue("mail.notify", tenant_id=world.orgs["a"].id, user_id=world.user("a", "reporter").id, kind="test")
        assert smtp.messages == []  # nothing before commit
    assert len(smtp.wait_for(1)) == 1
    with app.app_context():
        row = db.session.scalar(sa.select(OutboxJob))
        assert row.done_at is not None and row.attempts == 1


def _notification_app(app, redis_server, smtp, queue):
    app.config.update(JOBS_INLINE=False, REDIS_URL=redis_server.url, JOBS_QUEUE=queue,
                      MAIL_BACKEND="smtp", SMTP_PORT=smtp.port, BASE_URL="http://127.0.0.1:5000")
    return app


@pytest.mark.redis
def test_with_redis_down_the_action_succeeds_and_the_mail_arrives_once_after_redis_returns(
        app, world, login, smtp, queue_name):
    redis_server = services.ThrowawayRedis().start()
    servers = [redis_server]
    try:
        _notification_app(app, redis_server, smtp, queue_name)
        admin = login(app, world.user("a", "tenant_admin"))
        redis_server.stop()

        response = admin.post("/o/org-a/admin/members",
                              {"email": "nieuw@org-a.test", "name": "Nieuwe Collega", "roles": "reporter"})
        assert response.status_code == 302  # the person notices nothing
        assert "Lid toegevoegd" in admin.get("/o/org-a/admin/members").get_data(as_text=True)
        with app.app_context():
            row = db.session.scalar(sa.select(OutboxJob).where(OutboxJob.job == "mail.notify"))
            assert row.dispatched_at is None and row.done_at is None

        # Redis comes back on the same address; the clock's relay sends what it missed.
        redis_server = services.ThrowawayRedis(port=redis_server.port).start()
        servers.append(redis_server)
        runner = app.test_cli_runner()
        assert "sent 1 job(s)" in runner.invoke(args=["relay"]).output
        assert "sent 0 job(s)" in runner.invoke(args=["relay"]).output  # nothing twice
        result = runner.invoke(args=["worker", "--burst"])
        assert result.exit_code == 0, result.output
        messages = smtp.wait_for(1)
        assert len(messages) == 1
        recipients, message = messages[0]
        assert recipients == ["nieuw@org-a.test"]
        body = message.get_content()
        assert "/o/org-a/" in body and "Nieuwe Collega" not in body  # a link, no contents

        # Running relay and worker again delivers nothing more: exactly once.
        runner.invoke(args=["relay"])
        runner.invoke(args=["worker", "--burst"])
        assert len(smtp.wait_for(2, timeout=2)) == 1
        with app.app_context():
            row = db.session.scalar(sa.select(OutboxJob).where(OutboxJob.job == "mail.notify"))
            assert row.done_at is not None
        with app.app_context(), tenant_scope(world.orgs["a"].id):
            assert "mail.sent" in db.session.scalars(sa.select(AuditEvent.action)).all()
    finally:
        for server in servers:
            server.cleanup()


@pytest.mark.redis
def test_a_failing_job_is_retried_and_then_succeeds(app, world, smtp, queue_name, redis_url):
    """SMTP is down for the first attempt; rq retries with backoff and the mail arrives once."""
    from rq import SimpleWorker

    from lekwijzer.jobs.queue import get_queue

    dead_port = services.free_port()
    app.config.update(JOBS_INLINE=False, REDIS_URL=redis_url, JOBS_QUEUE=queue_name, MAIL_BACKEND="smtp",
                      SMTP_PORT=dead_port, SMTP_TIMEOUT=1)
    with app.app_context(), tenant_scope(world.orgs["a"].id):
        enqueue("mail.notify", tenant_id=world.orgs["a"].id, user_id=world.user("a", "reporter").id, kind="test")
    with app.app_context():
        queue = get_queue()
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
        row = db.session.scalar(sa.select(OutboxJob))
        assert row.done_at is None and row.attempts == 1 and row.last_error
        job = queue.fetch_job(f"outbox-{row.id}")
        assert job is not None and job.get_status() == "scheduled"  # waiting for its retry
        # The relay must not send a second copy of a job rq is still retrying.
        app.config["SMTP_PORT"] = smtp.port
        job.requeue() if job.get_status() == "failed" else queue.enqueue_job(job)
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
        db.session.expire_all()
        row = db.session.scalar(sa.select(OutboxJob))
        assert row.done_at is not None and row.attempts == 2
    assert len(smtp.wait_for(1)) == 1


def test_a_mail_never_carries_contents(app, world, smtp):
    """The message is built from a registered kind: fixed subject, reference, link."""
    app.config.update(MAIL_BACKEND="smtp", SMTP_PORT=smtp.port)
    with app.app_context(), tenant_scope(world.orgs["a"].id):
        from lekwijzer.mail import notify
        from lekwijzer.models import Org

        notify(world.user("a", "reporter").id, "test", db.session.get(Org, world.orgs["a"].id), object_id=world.orgs["a"].id)
    _rcpt, message = smtp.wait_for(1)[0]
    assert re.match(r"^\[Lekwijzer\] Testbericht \(LW-[0-9A-F]{8}\)$", message["Subject"])
    body = message.get_content()
    assert "bevat bewust geen details" in body
