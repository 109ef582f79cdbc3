"""The explorer's password gate (CULTNET_UI_PASSWORD) and its upload handling.

* AppTest: with a password set, the first run shows only the sign-in form (no data, no sidebar
  store details), a page switched to directly (the Data page) shows the form too, a wrong
  password is refused with a message and a one-second delay, the right one opens the pages.
  Without a password the explorer opens as before.
* ``cultnet ui --host 0.0.0.0`` without a password refuses to start (exit 1, a message), and a
  password shorter than 8 characters is refused.
* Uploads: :func:`cultnet.ui.uploads.saved_uploads` leaves nothing in the temp directory, after
  success, after an error, and after Streamlit's rerun exception; names from the browser cannot
  leave the upload folder.

The real-request twin (Chromium against ``cultnet ui`` with a password: a page's URL typed
directly, a wrong and the right password, signing out) is tests/ui/test_browser_auth.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from cultnet.errors import CultnetError
from cultnet.ui import auth
from cultnet.ui.uploads import PREFIX, saved_uploads, upload_name
from tests.ui.conftest import APP, ROOT

PASSWORD = "correct horse battery staple"


# ------------------------------------------------------------------------------------------------
# the pure parts


def test_password_comparison():
    assert auth.check_password(PASSWORD, PASSWORD)
    assert not auth.check_password(PASSWORD + " ", PASSWORD)
    assert not auth.check_password("", PASSWORD)
    assert not auth.check_password("correct horse", PASSWORD)  # a prefix is not enough
    t0 = time.monotonic()
    assert not auth.attempt("guess", PASSWORD)
    assert time.monotonic() - t0 >= auth.FAILURE_DELAY_S * 0.95
    assert auth.attempt(PASSWORD, PASSWORD)
    assert auth.session_token(PASSWORD) != auth.session_token(PASSWORD + "x")


@pytest.mark.parametrize("host,loopback", [("localhost", True), ("127.0.0.1", True), ("127.1.2.3", True),
                                           ("::1", True), ("[::1]", True), ("0.0.0.0", False),
                                           ("::", False), ("192.168.1.10", False), ("example.org", False)])
def test_loopback_addresses(host, loopback):
    assert auth.is_loopback(host) is loopback


def test_exposure_rules():
    assert auth.check_exposure("localhost", {}) is not None  # open to local users: a note
    assert auth.check_exposure("0.0.0.0", {auth.PASSWORD_ENV: PASSWORD}) is None
    with pytest.raises(CultnetError, match="without a password"):
        auth.check_exposure("0.0.0.0", {})
    with pytest.raises(CultnetError, match="at least 8"):
        auth.check_exposure("localhost", {auth.PASSWORD_ENV: "short"})


def _cli_ui(*args: str, **env: str) -> subprocess.CompletedProcess:
    e = {k: v for k, v in os.environ.items() if not k.startswith("CULTNET_UI_PASSWORD")}
    e.update(env)
    return subprocess.run([sys.executable, "-m", "cultnet.ui.cli", "ui", *args], cwd=ROOT, env=e,
                          capture_output=True, text=True, timeout=120)


def test_cli_refuses_to_serve_beyond_localhost_without_a_password(tmp_path):
    p = _cli_ui("--host", "0.0.0.0", "--port", "1", CULTNET_DATA_DIR=str(tmp_path / "d"))
    assert p.returncode == 1, p.stdout + p.stderr
    assert "CULTNET_UI_PASSWORD" in p.stderr and "Traceback" not in p.stderr
    p = _cli_ui("--port", "1", CULTNET_DATA_DIR=str(tmp_path / "d"), CULTNET_UI_PASSWORD="short")
    assert p.returncode == 1 and "at least 8" in p.stderr, p.stderr


# ------------------------------------------------------------------------------------------------
# uploads


class _Upload:
    def __init__(self, name: str, data: bytes):
        self.name, self._data = name, data

    def getvalue(self) -> bytes:
        return self._data


def _leftovers(tmp: Path) -> list[Path]:
    return sorted(tmp.glob(PREFIX + "*"))


def test_uploads_are_removed_after_use(tmp_path, monkeypatch):
    from streamlit.runtime.scriptrunner_utils.exceptions import RerunException

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    files = [_Upload("../../cities.csv", b"name\nA\n"), _Upload("edges.csv", b"source,target\nA,B\n")]
    roles = {"../../cities.csv": "cities", "edges.csv": "edges"}
    with saved_uploads(files, roles) as paths:
        folder = paths["cities"].parents[1]
        assert paths["cities"].name == "cities.csv" and folder.parent == tmp_path
        assert paths["cities"].read_bytes() == b"name\nA\n"
        assert (folder.stat().st_mode & 0o777) == 0o700
    assert _leftovers(tmp_path) == []
    with pytest.raises(ValueError):
        with saved_uploads(files, roles):
            raise ValueError("validation blew up")
    assert _leftovers(tmp_path) == []
    with pytest.raises(RerunException):
        with saved_uploads(files, roles):
            raise RerunException(None)  # what st.rerun() raises after a successful load
    assert _leftovers(tmp_path) == []
    with pytest.raises(CultnetError, match="Two files"):
        with saved_uploads(files, {"../../cities.csv": "edges", "edges.csv": "edges"}):
            pass
    assert _leftovers(tmp_path) == []


def test_upload_names_stay_in_their_folder():
    assert upload_name("..", 3) == "upload-3"
    assert upload_name("C:\\Users\\x\\edges.net", 0) == "edges.net"
    assert upload_name("a/b/../../../x.csv", 0) == "x.csv"
    assert upload_name("\x1b[31mred.csv", 0) == "[31mred.csv"


# ------------------------------------------------------------------------------------------------
# AppTest


@pytest.fixture()
def locked_app(app_env, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv(auth.PASSWORD_ENV, PASSWORD)
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.run()
    return at


def _shows_data(at) -> bool:
    texts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [t.value for t in at.title]
    return bool(at.dataframe) or any("dataset" in str(t).lower() or "FalkorDB" in str(t) for t in texts)


def _sign_in(at, password: str):
    at.text_input(key="_login_password").input(password)
    at.button[0].click()  # the form's submit button is the only button on the sign-in page
    return at.run()


@pytest.mark.slow
def test_sign_in_is_required_before_any_page(locked_app):
    at = locked_app
    assert not at.exception
    assert [t.value for t in at.title] == ["cultnet explorer"]
    assert at.text_input(key="_login_password").label == "Password"
    assert not _shows_data(at)
    # the page that loads and deletes is not even registered before signing in
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("views/data.py")
    t0 = time.monotonic()
    _sign_in(at, "wrong password")
    assert time.monotonic() - t0 >= auth.FAILURE_DELAY_S * 0.95
    assert [e.value for e in at.error] == ["Wrong password."]
    assert not _shows_data(at)
    _sign_in(at, PASSWORD)
    assert not at.exception and not at.error
    assert at.button(key="_sign_out").label == "Sign out"  # exercised in the browser test
    at.switch_page("views/data.py")
    at.run()
    assert not at.exception
    assert any("Upload your files" in s.value for s in at.subheader)
    assert at.dataframe  # the datasets table


@pytest.mark.slow
def test_without_a_password_the_explorer_opens(app_env, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.delenv(auth.PASSWORD_ENV, raising=False)
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.run()
    assert not at.exception
    with pytest.raises(KeyError):
        at.text_input(key="_login_password")
