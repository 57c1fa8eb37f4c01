"""Notifications by e-mail: a subject, a reference and a link. Never contents.

Lesson of the SVMN breach: the crisis tool mailed whole client dossiers, in plain text,
to an address on a lapsed domain. Here a message is built only from a registered
notification kind (a fixed, translated subject), an object reference and a link into the
application; the reader signs in to see anything more. Areas register their kinds with
`notification_kind`; a kind cannot carry free text.

Before sending, every registered recipient check may refuse an address (for example an
address on one of the organisation's retired domains); the refusal is audited.
"""
from __future__ import annotations

import logging
import smtplib
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Callable

from flask import current_app
from flask_babel import force_locale, gettext, lazy_gettext as _l

from . import audit
from .db import db
from .jobs import enqueue, job
from .models import Org, User

log = logging.getLogger("lekwijzer.mail")


@dataclass(frozen=True)
class NotificationKind:
    key: str
    subject: object  # a lazy gettext string
    link: Callable[[Org, str | None], str]  # path inside the app for (org, object id)


KINDS: dict[str, NotificationKind] = {}
# (org, address) -> None, or a short reason code for refusing the address.
RECIPIENT_CHECKS: list[Callable[[Org, str], str | None]] = []


class RecipientRefused(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def notification_kind(key: str, subject, link: Callable[[Org, str | None], str]) -> NotificationKind:
    kind = NotificationKind(key, subject, link)
    KINDS[key] = kind
    return kind


def notify(user_id: uuid.UUID, kind: str, org: Org, object_id=None) -> None:
    """Ask for a notification mail to a member, sent after the current transaction commits."""
    if kind not in KINDS:
        raise KeyError(f"unknown notification kind {kind!r}")
    enqueue("mail.notify", tenant_id=org.id, user_id=user_id, kind=kind,
            object_id=str(object_id) if object_id else None)


def reference(kind: str, object_id: str | None) -> str:
    # A short, stable reference a person can quote on the phone; no contents.
    tail = (object_id or "").replace("-", "")[:8].upper()
    return f"LW-{tail}" if tail else "LW"


def check_recipient(org: Org, address: str) -> None:
    for check in RECIPIENT_CHECKS:
        reason = check(org, address)
        if reason:
            raise RecipientRefused(reason)


def build_message(user: User, org: Org, kind: NotificationKind, object_id: str | None) -> EmailMessage:
    base = current_app.config["BASE_URL"]
    link = base + kind.link(org, object_id)
    ref = reference(kind.key, object_id)
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = f"[Lekwijzer] {kind.subject} ({ref})"
        body = gettext(
            "Something in Lekwijzer needs your attention.\n\n"
            "Organisation: %(org)s\nReference: %(ref)s\nOpen it here (sign-in required):\n%(link)s\n\n"
            "This message deliberately contains no details. Do not forward it.",
            org=org.name, ref=ref, link=link,
        )
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = user.email
    msg["Message-ID"] = make_msgid(domain="lekwijzer.invalid")
    msg.set_content(body)
    return msg


def deliver(msg: EmailMessage) -> None:
    cfg = current_app.config
    if cfg["MAIL_BACKEND"] == "log":
        # Subject and link only, and no address: logs are not a place for personal data.
        log.info("mail (log backend): %s", msg["Subject"])
        return
    with smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=cfg["SMTP_TIMEOUT"]) as smtp:
        if cfg["SMTP_STARTTLS"]:
            smtp.starttls()
        if cfg["SMTP_USER"]:
            smtp.login(cfg["SMTP_USER"], cfg["SMTP_PASSWORD"])
        smtp.send_message(msg)


@job("mail.notify")
def send_notification(user_id: str, kind: str, object_id: str | None = None) -> None:
    from .tenancy import current_tenant_id

    org = db.session.get(Org, current_tenant_id())
    user = db.session.get(User, uuid.UUID(user_id))
    if user is None or not user.active or kind not in KINDS:
        return  # the person left or the kind was retired: nothing to send
    try:
        check_recipient(org, user.email)
    except RecipientRefused as refused:
        audit.record("mail.refused", "user", user.id, meta={"reason": refused.reason, "kind": kind},
                     actor=("system", None))
        return
    deliver(build_message(user, org, KINDS[kind], object_id))
    audit.record("mail.sent", "user", user.id, meta={"kind": kind}, actor=("system", None))


notification_kind(
    "test", _l("Test notification"),
    lambda org, _id: f"/o/{org.slug}/",
)
notification_kind(
    "member.added", _l("You have been given access"),
    lambda org, _id: f"/o/{org.slug}/",
)
