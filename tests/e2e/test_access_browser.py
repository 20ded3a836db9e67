"""Sign-in in the real app: `payoff app` with PAYOFF_AUTH=password in headless Chromium, and its refusals."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from serving import free_port, serve_copy

from pipelines.access import hash_password
from pipelines.config import PROJECT_ROOT

PASSWORD = "correct horse battery staple"
REFUSAL_SECONDS = 30  # a refusal happens before Streamlit is imported: seconds, not a server start
DATA_MARKERS = ("Which activities pay off", "Pays off", "Business Review", "Filters")  # the demo Overview's text
AUTH_VARIABLES = ("PAYOFF_AUTH", "PAYOFF_PASSWORD_HASH")
NO_AUTH = {k: v for k, v in os.environ.items() if k not in AUTH_VARIABLES}


@pytest.fixture(scope="module")
def gated_url(demo_db, tmp_path_factory):
    """`payoff app` with PAYOFF_AUTH=password on a free loopback port against a copy of the demo database."""
    env = {"PAYOFF_AUTH": "password", "PAYOFF_PASSWORD_HASH": hash_password(PASSWORD)}
    folder = tmp_path_factory.mktemp("gated")
    with serve_copy(demo_db, folder, env) as (url, _):
        yield url
    logs = " ".join(log.read_text(errors="replace") for log in folder.glob("*.log"))
    assert "sign-in: password" in logs and PASSWORD not in logs, "the server log names the mode, never the password"


def _body(page) -> str:
    return page.inner_text("body")


@pytest.mark.browser
@pytest.mark.parametrize("path", ["", "drivers", "data_page"])
def test_a_fresh_browser_sees_only_the_sign_in(gated_url, browser, path, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    page.goto(f"{gated_url}/{path}")
    page.get_by_label("Password", exact=True).wait_for(timeout=60_000)
    page.wait_for_timeout(1500)  # let any late element arrive before looking for data
    body = _body(page)
    assert not [m for m in DATA_MARKERS if m in body], body[:500]
    for testid in ("stPlotlyChart", "stDataFrame", "stMetric", "stFileUploaderDropzoneInput", "stException"):
        assert page.locator(f'[data-testid="{testid}"]').count() == 0, testid
    page.screenshot(path=str(tmp_path / "sign_in.png"))
    page.close()


@pytest.mark.browser
def test_the_password_opens_the_overview_and_sign_out_closes_it(gated_url, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 2200})
    page.goto(gated_url)
    page.get_by_label("Password", exact=True).fill("a wrong password here")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Wrong password.").wait_for(timeout=30_000)
    assert not [m for m in DATA_MARKERS if m in _body(page)]
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Which activities pay off").wait_for(timeout=60_000)
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=60_000)
    assert "Business Review" in _body(page), "the same markers the signed-out page lacks"
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(tmp_path / "signed_in.png"))
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Password", exact=True).wait_for(timeout=30_000)
    page.wait_for_timeout(1000)
    assert page.locator('[data-testid="stPlotlyChart"]').count() == 0
    page.close()


def _refusal(folder, args: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
    """`payoff app ...` run from an empty folder and home, so no developer's secrets.toml takes part."""
    env = {**NO_AUTH, "HOME": str(folder), **(env or {})}
    return subprocess.run([sys.executable, "-m", "pipelines.cli", "--db", str(folder / "x.duckdb"), "app",
                           "--port", str(free_port()), *args], capture_output=True, text=True, cwd=folder, env=env,
                          timeout=REFUSAL_SECONDS)


def test_app_refuses_a_public_address_without_sign_in(tmp_path):
    done = _refusal(tmp_path, ["--address", "0.0.0.0"])
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "PAYOFF_AUTH" in lines[0] and "0.0.0.0" in lines[0]


def test_app_refuses_a_password_setting_without_a_hash(tmp_path):
    done = _refusal(tmp_path, [], {"PAYOFF_AUTH": "password"})
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1 and "payoff password" in done.stderr


def test_app_reads_the_setting_from_secrets_toml_in_the_working_folder(tmp_path):
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text('[payoff]\nauth = "password"\n', encoding="utf-8")
    done = _refusal(tmp_path, [])
    assert done.returncode == 1 and "no password hash" in done.stderr


def test_password_command_prints_a_hash_that_verifies():
    from pipelines.access import verify_password

    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "password", "--stdin"], input=PASSWORD + "\n",
                          capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=REFUSAL_SECONDS)
    assert done.returncode == 0, done.stderr
    line = done.stdout.strip()
    assert line.startswith('password_hash = "scrypt$') and PASSWORD not in done.stdout + done.stderr
    assert verify_password(PASSWORD, line.split('"')[1])
