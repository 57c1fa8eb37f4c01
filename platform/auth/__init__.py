"""Authentication: local accounts (here), single sign-on (sso.py), API tokens (tokens.py).

All ways in end in `sign_in(user, method)`: a fresh session, the audit entry in each of
the person's organisations, and the landing page. Single sign-on plugs in there.
"""
from __future__ import annotations

import uuid

from flask import g
from flask_login import AnonymousUserMixin

from ..db import db
from ..extensions import login_manager
from ..models import User

login_manager.login_view = "auth.login"
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(value: str):
    user_id, _, version = value.partition(":")
    try:
        user = db.session.get(User, uuid.UUID(user_id))
    except ValueError:
        return None
    # A changed password or a disabled account ends every older session.
    if user is None or not user.active or str(user.credential_version) != version:
        return None
    g.user = user
    return user


class Anonymous(AnonymousUserMixin):
    locale = None


login_manager.anonymous_user = Anonymous
