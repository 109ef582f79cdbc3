"""The explorer's password gate: ``CULTNET_UI_PASSWORD``.

When the variable is set, every browser session must sign in before any page runs: the router
(ui/app.py) registers only the sign-in form (under every page's URL) until the session is signed
in, so no page, not even a page's URL typed directly, shows data or reaches the Data page's load
and delete buttons. Each page checks it again (:func:`require_signed_in`, from
ui/views/_common.py ``header``), and ``cultnet ui`` starts Streamlit through ui/serve.py, which
switches off Streamlit's old ``pages/`` folder mode (in that mode a page's URL runs the page
without the router). The
password is compared in constant time (:func:`hmac.compare_digest` over SHA-256 digests, so the
length does not leak either); a wrong password costs one second, and failed attempts are
serialized process-wide (at most one guess per second, whatever the number of sessions). A signed-in
session keeps a flag in ``st.session_state`` (a digest of the password under a key made when
the server started, so it is worthless outside this process); a new browser tab signs in again.

``cultnet ui --host`` refuses to bind beyond this machine (anything but a loopback address)
without a password (:func:`check_exposure`). Without one, on localhost, every local user of the
machine can open the explorer; ``cultnet ui`` says so.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
import threading
import time

from cultnet.errors import CultnetError

PASSWORD_ENV = "CULTNET_UI_PASSWORD"
MIN_LENGTH = 8
FAILURE_DELAY_S = 1.0
SESSION_KEY = "_cultnet_signed_in"
_PROCESS_KEY = secrets.token_bytes(32)
_FAILURES = threading.Lock()


def configured_password(env: dict[str, str] | None = None) -> str | None:
    """The explorer password, or None when the explorer is open (the variable unset or empty)."""
    value = (os.environ if env is None else env).get(PASSWORD_ENV, "")
    return value or None


def check_password(candidate: str, expected: str) -> bool:
    """Constant-time comparison (of SHA-256 digests: equal lengths whatever was typed)."""
    a = hashlib.sha256(candidate.encode("utf-8", "surrogatepass")).digest()
    b = hashlib.sha256(expected.encode("utf-8", "surrogatepass")).digest()
    return hmac.compare_digest(a, b)


def session_token(expected: str) -> str:
    """What a signed-in session stores: an HMAC of the password under a per-process key."""
    return hmac.new(_PROCESS_KEY, expected.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def attempt(candidate: str, expected: str) -> bool:
    """Check one sign-in attempt; a failure costs :data:`FAILURE_DELAY_S`, one at a time."""
    if check_password(candidate, expected):
        return True
    with _FAILURES:  # serialized: parallel sessions cannot guess faster than one per second
        time.sleep(FAILURE_DELAY_S)
    return False


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach: ``localhost``, 127.0.0.0/8, ``::1``."""
    h = host.strip().strip("[]").lower()
    if h in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


def check_exposure(host: str, env: dict[str, str] | None = None) -> str | None:
    """Refuse (:class:`CultnetError`) to serve beyond localhost without a password, or with a
    short one; returns a note for the user when the explorer is open to local users."""
    password = configured_password(env)
    if password is not None and len(password) < MIN_LENGTH:
        raise CultnetError(f"{PASSWORD_ENV} must be at least {MIN_LENGTH} characters long.")
    if password is None and not is_loopback(host):
        raise CultnetError(
            f"Refusing to serve the explorer on {host!r} without a password: other machines could "
            f"load and delete data. Set {PASSWORD_ENV} (at least {MIN_LENGTH} characters), or "
            "serve on localhost.")
    if password is None:
        return (f"note: no {PASSWORD_ENV} is set, so every user of this machine can open the "
                "explorer (and load or delete data); set it to require a password.")
    return None


# ------------------------------------------------------------------------------------------------
# the Streamlit side


def signed_in() -> bool:
    """True when no password is configured or this session has signed in."""
    import streamlit as st

    expected = configured_password()
    if expected is None:
        return True
    return st.session_state.get(SESSION_KEY) == session_token(expected)


def login_page() -> None:
    """The sign-in form: the only page of a session that has not signed in."""
    import streamlit as st

    expected = configured_password()
    st.title("cultnet explorer")
    st.caption(f"This explorer is protected by a password ({PASSWORD_ENV}).")
    with st.form("login_form"):
        candidate = st.text_input("Password", type="password", key="_login_password")
        go = st.form_submit_button("Sign in", type="primary", icon=":material/login:")
    if go and expected is not None:
        if attempt(candidate, expected):
            st.session_state[SESSION_KEY] = session_token(expected)
            st.rerun()
        st.error("Wrong password.", icon=":material/lock:")


def require_signed_in() -> None:
    """Stop a page that runs without the router's gate (see ui/serve.py) for a session that
    has not signed in: it shows the sign-in form instead."""
    import streamlit as st

    if not signed_in():
        login_page()
        st.stop()
