"""Error responses: a page for people, JSON for the API; always a clear message."""
from __future__ import annotations

from flask import jsonify, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .forms import translate_errors
from .roles import N_

MESSAGES = {
    400: N_("The request could not be understood."),
    401: N_("Sign in first."),
    403: N_("You do not have the role needed for this."),
    404: N_("This page does not exist, or it is not yours to see."),
    405: N_("This address does not accept that kind of request."),
    413: N_("What you sent is too large."),
    415: N_("What you sent is in a format this address does not accept."),
    422: N_("Some of what you entered is not valid."),
    429: N_("Too many attempts. Wait a while and try again."),
    500: N_("Something went wrong on our side. It has been logged; please try again later."),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _message(error: HTTPException) -> str:
    code = error.code or 500
    # Our own aborts carry a specific description; werkzeug's defaults are replaced by ours.
    default = type(error).description
    if error.description and error.description != default and code not in (404,):
        return gettext(str(error.description))
    return gettext(MESSAGES.get(code, "Something went wrong."))


def handle_http(error: HTTPException):
    code = error.code or 500
    if error.response is not None and code not in (413,):
        return error.response  # a ready response (e.g. a redirect to sign-in)
    message = _message(error)
    if isinstance(error, CSRFError):
        message = gettext("The form expired or was sent from elsewhere. Reload the page and try again.")
    if _wants_json():
        body = {"code": code, "status": error.name, "message": message}
        errors = getattr(error, "data", {}).get("messages") if hasattr(error, "data") else None
        if errors:
            body["errors"] = translate_errors(errors)
        response = jsonify(body)
        response.status_code = code
        if code == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response
    return render_template("error.html", code=code, message=message), code


def handle_unexpected(error: Exception):
    import logging
    import traceback

    from werkzeug.exceptions import InternalServerError

    # The type and the stack, never the message: database errors quote the values they
    # failed on, and those may be personal data.
    logging.getLogger("lekwijzer").error(
        "unhandled %s on %s %s\n%s", type(error).__name__, request.method, request.url_rule,
        "".join(traceback.format_tb(error.__traceback__)),
    )
    return handle_http(InternalServerError())


def init_app(app) -> None:
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(Exception, handle_unexpected)
