"""Signing in and out, and a person's own API tokens."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from catalogue.clock import DayOutOfRange
from catalogue.errors import CatalogueError
from catalogue.sharing import end_of
from catalogue.signin import SignInFailed, TooManyAttempts, sign_in, sign_out
from catalogue.tokens import SCOPES, create_token, revoke_token, tokens_of
from web.auth import SignedIn, actor, current_person
from web.extensions import catalogue
from web.security import SIGN_IN_LIMIT, TOKEN_LIMIT, limiter

bp = Blueprint("account", __name__)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site, never another site (an open
    redirect would let a phishing link borrow the catalogue's address)."""
    if not target:
        return url_for("pages.home")
    parts = urlsplit(target)
    if (parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//")
            or "\\" in target or any(ord(c) < 32 for c in target)):
        return url_for("pages.home")
    return target


def begin_session(signed_in: SignedIn) -> None:
    """Start a browser session for someone just signed in: the old session's contents (and
    its CSRF token) are dropped, so a session fixed before sign-in is worth nothing after."""
    session.clear()
    login_user(signed_in)


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def sign_in_page() -> str | Response:
    target = safe_next(request.values.get("next"))
    if current_person() is not None and request.method == "GET":
        return redirect(target)
    errors: dict[str, str] = {}
    email = request.form.get("email", "").strip()
    if request.method == "POST":
        password = request.form.get("password", "")
        if not email:
            errors["email"] = "Enter your email address"
        if not password:
            errors["password"] = "Enter your password"
        if not errors:
            try:
                person, token = sign_in(catalogue().engine, email, password,
                                        request.remote_addr)
            except (SignInFailed, TooManyAttempts) as exc:
                errors["email"] = str(exc)
                return render_template("sign_in.html", errors=errors, email=email,
                                       next=target), exc.status
            begin_session(SignedIn(person, token, "session"))
            return redirect(target)
    status = 400 if errors else 200
    return render_template("sign_in.html", errors=errors, email=email, next=target), status


@bp.post("/sign-out")
def sign_out_page() -> Response:
    user = current_user
    if user.is_authenticated and user.via == "session":
        sign_out(catalogue().engine, user.credential, request.remote_addr)
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("pages.home"))


@bp.get("/account/tokens")
@login_required
def tokens_page() -> str:
    person = current_person()
    return render_template("tokens.html", tokens=tokens_of(catalogue().engine, person),
                           scopes=SCOPES, new_token=None, errors={}, form={})


@bp.post("/account/tokens")
@login_required
@limiter.limit(TOKEN_LIMIT)
def create_token_page() -> tuple[str, int] | str:
    person = current_person()
    form = {"name": request.form.get("name", "").strip(),
            "scope": request.form.get("scope", "read"),
            "expires": request.form.get("expires", "").strip()}
    errors: dict[str, str] = {}
    expires_at = None
    if not form["name"]:
        errors["name"] = "Enter what the token is for"
    if form["scope"] not in SCOPES:
        errors["scope"] = "Choose read or write"
    if form["expires"]:
        try:
            expires_at = end_of(date.fromisoformat(form["expires"]))
        except DayOutOfRange as exc:
            errors["expires"] = _sentence(str(exc).removeprefix("expires: "))
        except ValueError:
            errors["expires"] = "Enter the expiry date as YYYY-MM-DD, for example 2027-03-31"
    new_token = None
    if not errors:
        try:
            _, new_token = create_token(catalogue().engine, actor(), person.email, form["name"],
                                        form["scope"], expires_at)
        except CatalogueError as exc:
            errors["expires"] = str(exc)
    tokens = tokens_of(catalogue().engine, person)
    page = render_template("tokens.html", tokens=tokens, scopes=SCOPES, new_token=new_token,
                           errors=errors, form={} if new_token else form)
    return (page, 400) if errors else page


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
@limiter.limit(TOKEN_LIMIT)
def revoke_token_page(token_id: int) -> Response:
    revoke_token(catalogue().engine, actor(), current_person(), token_id)
    flash("The token is revoked: it no longer works.", "success")
    return redirect(url_for("account.tokens_page"))


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]
