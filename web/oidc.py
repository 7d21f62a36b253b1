"""Single sign-on by OpenID Connect (Authlib): the authorization code flow with PKCE (S256),
state and nonce, and the ID token checked (signature, issuer, audience, nonce, expiry) before
anything in it is believed.

Configured by the environment (through `from_prefixed_env("CATALOGUE")`) or create_app's config:
`OIDC_ISSUER` (its discovery document is ISSUER/.well-known/openid-configuration),
`OIDC_CLIENT_ID`, `OIDC_CLIENT_SECRET` (none: a public client, PKCE only),
`OIDC_DEPARTMENTS_CLAIM` ("departments"), `OIDC_NAME` (the button's label, "single sign-on"),
`OIDC_SCOPE` ("openid email profile") and `OIDC_REDIRECT_URI` (only behind a proxy that hides
the public address; else this site's /sign-in/oidc/callback). Without an issuer the routes answer
404 and the sign-in page shows no button.

Who gets an account, and with which departments, is the core's business
(`catalogue.signin.sign_in_sso`); this module only translates between HTTP and it.
"""

from __future__ import annotations

from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from catalogue.signin import SignInFailed, sign_in_sso, sso_failed
from web.account import begin_session, safe_next
from web.auth import SignedIn, current_person
from web.extensions import catalogue
from web.security import SIGN_IN_LIMIT, limiter

# A bad ID token: Authlib checks them with joserfc in recent versions, with its own jose (whose
# errors are AuthlibBaseErrors) before.
try:
    from joserfc.errors import JoseError
except ImportError:  # pragma: no cover
    JoseError = AuthlibBaseError

bp = Blueprint("oidc", __name__)

EXTENSION = "catalogue.oidc"
CLIENT = "sso"
NEXT_KEY = "oidc_next"
TIMEOUT = 10  # seconds for each call to the identity provider
DEFAULTS = {
    "OIDC_DEPARTMENTS_CLAIM": "departments",
    "OIDC_NAME": "single sign-on",
    "OIDC_SCOPE": "openid email profile",
}
TRY_AGAIN = "Try signing in again"


def init_app(app: Flask) -> None:
    """Register the routes (always, so that the URL map is the same everywhere) and, when an
    issuer is configured, the OpenID Connect client."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    issuer = _setting(app, "OIDC_ISSUER")
    if issuer:
        secret = _setting(app, "OIDC_CLIENT_SECRET")
        oauth = OAuth(app)
        app.extensions[EXTENSION] = oauth.register(
            CLIENT,
            client_id=_setting(app, "OIDC_CLIENT_ID"),
            client_secret=secret or None,
            server_metadata_url=f"{issuer.rstrip('/')}/.well-known/openid-configuration",
            client_kwargs={
                "scope": _setting(app, "OIDC_SCOPE"),
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "client_secret_basic" if secret else "none",
                "default_timeout": TIMEOUT,
            },
        )
    app.register_blueprint(bp)

    @app.context_processor
    def _oidc_button() -> dict[str, Any]:
        return {"oidc_enabled": EXTENSION in app.extensions,
                "oidc_name": _setting(app, "OIDC_NAME")}


def _setting(app: Flask, key: str) -> str:
    # from_prefixed_env parses values as JSON where it can: a client id of digits is an int
    value = app.config.get(key)
    return "" if value is None else str(value).strip()


def _client():
    client = current_app.extensions.get(EXTENSION)
    if client is None:
        abort(404)
    return client


@bp.get("/sign-in/oidc")
def start() -> Response | tuple[str, int]:
    """Send the browser to the identity provider, remembering where to go afterwards."""
    client = _client()
    target = safe_next(request.args.get("next"))
    if current_person() is not None:
        return redirect(target)
    session[NEXT_KEY] = target
    redirect_uri = (_setting(current_app, "OIDC_REDIRECT_URI")
                    or url_for(".callback", _external=True))
    try:
        _check_issuer(client)
        return client.authorize_redirect(redirect_uri)
    except (requests.RequestException, ValueError, RuntimeError):
        current_app.logger.exception("The identity provider's configuration could not be read")
        return _failed("The identity provider cannot be reached: try again later, or sign in "
                       "with a catalogue password", 502)


@bp.get("/sign-in/oidc/callback")
@limiter.limit(SIGN_IN_LIMIT)
def callback() -> Response | tuple[str, int]:
    """The provider's answer: a code to exchange for tokens, or an error."""
    client = _client()
    engine, source = catalogue().engine, request.remote_addr
    target = safe_next(session.get(NEXT_KEY))
    error = request.args.get("error")
    if error:
        sso_failed(engine, None, f"provider: {error[:100]}", source)
        if error == "access_denied":
            message = "You did not allow the catalogue to sign you in"
        else:
            message = "Your identity provider could not sign you in"
        return _failed(f"{message}. {TRY_AGAIN}.", 401)
    try:
        token = client.authorize_access_token()
    except MismatchingStateError:
        sso_failed(engine, None, "state mismatch", source)
        return _failed("This sign-in was not started here, or it took too long. "
                       f"{TRY_AGAIN}.", 400)
    except (AuthlibBaseError, JoseError, ValueError):
        current_app.logger.warning("Single sign-on refused", exc_info=True)
        sso_failed(engine, None, "invalid answer", source)
        return _failed(f"The identity provider's answer could not be verified. {TRY_AGAIN}.",
                       401)
    except requests.RequestException:
        current_app.logger.exception("The identity provider could not be reached")
        return _failed("The identity provider cannot be reached: try again later, or sign in "
                       "with a catalogue password", 502)
    claims = token.get("userinfo")
    if not claims:  # no ID token: nothing the provider signed says who this is
        sso_failed(engine, None, "no id token", source)
        return _failed(f"The identity provider did not say who you are. {TRY_AGAIN}.", 401)
    claims = _with_userinfo(client, token, dict(claims))
    try:
        person, session_token = sign_in_sso(
            engine, str(claims["sub"]), _text(claims.get("email")), _text(claims.get("name")),
            claims.get(_setting(current_app, "OIDC_DEPARTMENTS_CLAIM")), source,
            email_verified=claims.get("email_verified"))
    except SignInFailed as exc:
        return _failed(str(exc), exc.status)
    begin_session(SignedIn(person, session_token, "session"))
    return redirect(target)


def _check_issuer(client) -> None:
    """The discovery document must name the configured issuer (OpenID Connect Discovery 4.3):
    the ID token's issuer is then checked against it."""
    issuer = client.load_server_metadata().get("issuer", "")
    if issuer.rstrip("/") != _setting(current_app, "OIDC_ISSUER").rstrip("/"):
        raise ValueError(f"the discovery document names the issuer {issuer!r}")


def _with_userinfo(client, token: dict, claims: dict) -> dict:
    """Some providers put only `sub` in the ID token: ask the userinfo endpoint for what is
    missing, and keep it only if it is about the same subject."""
    wanted = ("email", "name", _setting(current_app, "OIDC_DEPARTMENTS_CLAIM"))
    if all(key in claims for key in wanted) or not client.server_metadata.get(
            "userinfo_endpoint"):
        return claims
    try:
        info = client.userinfo(token=token)
    except (OAuthError, requests.RequestException, ValueError):
        current_app.logger.warning("The userinfo endpoint did not answer", exc_info=True)
        return claims
    if info.get("sub") != claims.get("sub"):
        return claims
    return {**{k: v for k, v in info.items() if k in wanted}, **claims}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _failed(message: str, status: int) -> tuple[str, int]:
    """The sign-in page again, with what went wrong (its button starts afresh, to the same
    place)."""
    target = safe_next(session.pop(NEXT_KEY, None) or request.args.get("next"))
    page = render_template("sign_in.html", errors={"oidc-sign-in": message}, email="",
                           next=target)
    return page, status
