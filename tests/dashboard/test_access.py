"""Who may see the data: the sign-in gate under AppTest, and the password hashes and rules behind it."""

from __future__ import annotations

import base64
import shutil

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from pipelines import access
from pipelines.access import AccessConfig, AccessError
from pipelines.config import PROJECT_ROOT

APP = str(PROJECT_ROOT / "dashboard" / "app.py")
TIMEOUT = 120  # the first Overview run fits the models on the demo data
PASSWORD = "correct horse battery staple"
HASH = access.hash_password(PASSWORD)
DATA_ELEMENTS = ("metric", "dataframe", "plotly_chart", "selectbox", "multiselect", "date_input")


@pytest.fixture(scope="module")
def shared_db(demo_db, tmp_path_factory):
    """One copy of the demo database for the tests that are allowed in (their results are cached)."""
    path = tmp_path_factory.mktemp("access") / "payoff.duckdb"
    shutil.copyfile(demo_db, path)
    return path


@pytest.fixture
def opened(monkeypatch):
    """Every DuckDB connection the app opens, recorded (pipelines.db opens them all via duckdb.connect)."""
    calls = []
    real = duckdb.connect

    def recording(*args, **kwargs):
        calls.append(args[0] if args else kwargs.get("database"))
        return real(*args, **kwargs)

    monkeypatch.setattr(duckdb, "connect", recording)
    return calls


@pytest.fixture(autouse=True)
def no_auth_settings(monkeypatch):
    for name in ("PAYOFF_AUTH", "PAYOFF_PASSWORD_HASH"):
        monkeypatch.delenv(name, raising=False)


def _app(secrets: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets.update(secrets or {})
    return at.run()


def _data_shown(at: AppTest) -> list[str]:
    """The kinds of data element the run drew (empty: the page shows no data)."""
    return [kind for kind in DATA_ELEMENTS if len(at.get(kind))]


def _sign_in(at: AppTest, password: str) -> AppTest:
    at.text_input(key="payoff_password").input(password)
    return at.button[0].click().run()


def _password_mode(monkeypatch, stored: str = HASH) -> None:
    monkeypatch.setenv("PAYOFF_AUTH", "password")
    monkeypatch.setenv("PAYOFF_PASSWORD_HASH", stored)


# --- the gate in the app ---------------------------------------------------------------------------


def test_without_auth_the_overview_shows_data(shared_db, monkeypatch):
    monkeypatch.setenv("PAYOFF_DB", str(shared_db))
    at = _app()
    assert not at.exception, [e.value for e in at.exception]
    assert {"plotly_chart", "multiselect"} <= set(_data_shown(at))
    assert not at.get("text_input"), "no sign-in form on local use"


def test_password_gate_shows_only_the_form_and_reads_nothing(demo_copy, opened, monkeypatch):
    _password_mode(monkeypatch)
    at = _app()
    assert not at.exception, [e.value for e in at.exception]
    assert at.text_input(key="payoff_password").proto.type == at.text_input(key="payoff_password").proto.PASSWORD
    assert _data_shown(at) == []
    assert opened == [], "no database connection before sign-in"
    text = " ".join(x.value for x in [*at.markdown, *at.info, *at.caption])
    assert "payoff demo" not in text and "Which activities pay off" not in text


def test_wrong_password_is_refused_and_still_reads_nothing(demo_copy, opened, monkeypatch):
    _password_mode(monkeypatch)
    at = _sign_in(_app(), "not the password at all")
    assert [e.value for e in at.error] == ["Wrong password."]
    assert _data_shown(at) == [] and opened == []
    assert PASSWORD not in str(at) and "not the password at all" not in " ".join(e.value for e in at.error)


def test_right_password_opens_the_overview_and_sign_out_closes_it(demo_copy, opened, monkeypatch):
    _password_mode(monkeypatch)
    at = _sign_in(_app(), PASSWORD)
    assert not at.exception, [e.value for e in at.exception]
    assert {"plotly_chart", "multiselect"} <= set(_data_shown(at))
    assert str(demo_copy) in opened, "the recorder sees the reads once signed in"
    assert not at.get("text_input"), "the form is gone once signed in"
    at.sidebar.button(key="payoff_sign_out").click().run()
    assert _data_shown(at) == []
    assert at.text_input(key="payoff_password")


def test_repeated_failures_make_the_session_wait(demo_copy, opened, monkeypatch):
    _password_mode(monkeypatch)
    at = _app()
    for _ in range(access.FREE_ATTEMPTS + 1):
        at = _sign_in(at, "wrong guess number n")
    at = _sign_in(at, PASSWORD)  # right, but too soon after the failures
    assert any("try again in" in w.value for w in at.warning)
    assert _data_shown(at) == [] and opened == []


def test_a_new_password_hash_signs_sessions_out(shared_db, monkeypatch):
    monkeypatch.setenv("PAYOFF_DB", str(shared_db))
    _password_mode(monkeypatch)
    at = _sign_in(_app(), PASSWORD)
    assert "plotly_chart" in _data_shown(at)
    _password_mode(monkeypatch, access.hash_password("a different long password"))
    at.run()
    assert _data_shown(at) == [] and at.text_input(key="payoff_password")


def test_password_set_in_secrets_works_like_the_environment(shared_db, monkeypatch):
    monkeypatch.setenv("PAYOFF_DB", str(shared_db))
    at = _app({"payoff": {"auth": "password", "password_hash": HASH}})
    assert _data_shown(at) == [] and at.text_input(key="payoff_password")
    at = _sign_in(at, PASSWORD)
    assert "plotly_chart" in _data_shown(at)


def test_environment_wins_over_secrets(demo_copy, opened, monkeypatch):
    monkeypatch.setenv("PAYOFF_AUTH", "password")
    at = _app({"payoff": {"auth": "none", "password_hash": HASH}})
    assert at.text_input(key="payoff_password") and _data_shown(at) == [] and opened == []


@pytest.mark.parametrize("stored", [None, "scrypt$16384$8$1$not base64!$xx", "plain-text-password"])
def test_misconfigured_password_shows_an_error_and_no_data(stored, demo_copy, opened, monkeypatch):
    monkeypatch.setenv("PAYOFF_AUTH", "password")
    if stored:
        monkeypatch.setenv("PAYOFF_PASSWORD_HASH", stored)
    at = _app()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.error) == 1 and "password hash" in at.error[0].value
    assert "plain-text-password" not in at.error[0].value, "never echo the configured value"
    assert _data_shown(at) == [] and not at.get("text_input") and opened == []


def test_unknown_auth_value_shows_an_error_and_no_data(demo_copy, opened, monkeypatch):
    monkeypatch.setenv("PAYOFF_AUTH", "yes please")
    at = _app()
    assert not at.exception and "PAYOFF_AUTH" in at.error[0].value
    assert _data_shown(at) == [] and opened == []


OIDC_SECRETS = {"auth": {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "x" * 32,
                         "client_id": "payoff", "client_secret": "s", "server_metadata_url":
                         "https://idp.example.com/.well-known/openid-configuration"}}


def test_oidc_without_a_signed_in_user_shows_the_login_button_and_no_data(demo_copy, opened, monkeypatch):
    monkeypatch.setenv("PAYOFF_AUTH", "oidc")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets.update(OIDC_SECRETS)
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [b.label for b in at.button] == ["Sign in"]
    assert _data_shown(at) == [] and opened == []


def test_oidc_without_auth_secrets_explains_itself(demo_copy, opened, monkeypatch):
    monkeypatch.setenv("PAYOFF_AUTH", "oidc")
    at = _app()
    assert not at.exception and "[auth]" in at.error[0].value
    assert not at.button and _data_shown(at) == [] and opened == []


def test_oidc_user_outside_the_allow_list_sees_no_data(demo_copy, opened, monkeypatch):
    monkeypatch.setenv("PAYOFF_AUTH", "oidc")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets.update({**OIDC_SECRETS, "payoff": {"allowed_emails": ["@example.com"]}})
    at.user = {"is_logged_in": True, "email": "mallory@elsewhere.org"}
    at.run()
    assert "may not see this data" in at.error[0].value
    assert _data_shown(at) == [] and opened == []


def test_oidc_user_on_the_allow_list_sees_the_overview(shared_db, monkeypatch):
    monkeypatch.setenv("PAYOFF_DB", str(shared_db))
    monkeypatch.setenv("PAYOFF_AUTH", "oidc")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets.update({**OIDC_SECRETS, "payoff": {"allowed_emails": ["@example.com"]}})
    at.user = {"is_logged_in": True, "email": "alice@example.com"}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "plotly_chart" in _data_shown(at)
    assert any("alice@example.com" in c.value for c in at.sidebar.caption)


# --- hashes and rules ------------------------------------------------------------------------------


def test_hash_format_and_verify():
    parts = HASH.split("$")
    assert parts[:4] == ["scrypt", str(access.SCRYPT_N), str(access.SCRYPT_R), str(access.SCRYPT_P)]
    assert access.verify_password(PASSWORD, HASH)
    assert not access.verify_password(PASSWORD + " ", HASH)
    assert not access.verify_password("", HASH)
    assert PASSWORD not in HASH


def test_salt_differs_per_hash():
    again = access.hash_password(PASSWORD)
    assert again != HASH and again.split("$")[4] != HASH.split("$")[4]
    assert access.verify_password(PASSWORD, again)


def test_tampered_hash_fails():
    parts = HASH.split("$")
    key = bytearray(base64.b64decode(parts[5]))
    key[0] ^= 1
    assert not access.verify_password(PASSWORD, "$".join([*parts[:5], base64.b64encode(key).decode()]))
    other_salt = base64.b64encode(b"0" * access.SALT_BYTES).decode()
    assert not access.verify_password(PASSWORD, "$".join([*parts[:4], other_salt, parts[5]]))
    with pytest.raises(AccessError):
        access.verify_password(PASSWORD, HASH.replace("scrypt$", "bcrypt$"))
    with pytest.raises(AccessError):
        access.parse_hash("scrypt$3$8$1$AAAA$AAAA")  # n is not a power of two


def test_setting_resolution_environment_first():
    secrets = {"payoff": {"auth": "password", "password_hash": HASH}}
    assert access.access_config({}, {}) == AccessConfig()
    assert access.access_config({}, secrets).mode == "password"
    assert access.access_config({}, secrets).source == "secrets"
    assert access.access_config({"PAYOFF_AUTH": "none"}, secrets).mode == "none"
    assert access.access_config({"PAYOFF_AUTH": "Password", "PAYOFF_PASSWORD_HASH": HASH}, {}).source == "environment"
    with pytest.raises(AccessError, match="no password hash"):
        access.access_config({"PAYOFF_AUTH": "password"}, {})
    with pytest.raises(AccessError, match="not one of"):
        access.access_config({"PAYOFF_AUTH": "ldap"}, {})
    assert HASH not in access.access_config({}, secrets).describe()


def test_loopback_and_bind_rule():
    assert all(access.is_loopback(a) for a in ("127.0.0.1", "127.0.1.1", "::1", "[::1]", "localhost"))
    assert not any(access.is_loopback(a) for a in ("0.0.0.0", "::", "", None, "192.168.1.5", "myhost"))
    access.check_bind("127.0.0.1", AccessConfig())
    access.check_bind("0.0.0.0", AccessConfig("password", password_hash=HASH))
    with pytest.raises(AccessError, match="PAYOFF_AUTH"):
        access.check_bind("0.0.0.0", AccessConfig())


def test_retry_delay_grows_after_the_free_attempts_and_is_capped():
    delays = [access.retry_delay(n) for n in range(1, 12)]
    assert delays[:access.FREE_ATTEMPTS] == [0.0] * access.FREE_ATTEMPTS
    assert delays[access.FREE_ATTEMPTS] > 0 and delays == sorted(delays)
    assert max(delays) == access.MAX_DELAY_SECONDS


def test_email_allow_list():
    allowed = ("alice@example.com", "@corp.example")
    assert access.email_allowed("Alice@Example.com", allowed)
    assert access.email_allowed("bob@corp.example", allowed)
    assert not access.email_allowed("bob@evilcorp.example", allowed)
    assert not access.email_allowed("bob@corp.example", allowed, verified=False)
    assert not access.email_allowed(None, allowed)
    assert access.email_allowed("anyone@anywhere.org", ())


def test_secrets_files_are_merged_and_bad_toml_is_refused(tmp_path):
    first, second = tmp_path / "a.toml", tmp_path / "b.toml"
    first.write_text('[payoff]\nauth = "oidc"\n', encoding="utf-8")
    second.write_text(f'[payoff]\nauth = "password"\npassword_hash = "{HASH}"\n', encoding="utf-8")
    merged = access.read_secrets([first, second, tmp_path / "absent.toml"])
    assert access.access_config({}, merged).mode == "password"
    assert access.server_environment({"PAYOFF_AUTH": "none"}, {"PAYOFF_AUTH": "password", "payoff": {}}) == \
        {"PAYOFF_AUTH": "password"}, "Streamlit copies top-level secrets over the environment"
    second.write_text("[payoff\n", encoding="utf-8")
    with pytest.raises(AccessError, match="b.toml"):
        access.read_secrets([first, second])


# --- throttling guesses across sessions, addresses and restarts -------------------------------------


def test_new_hashes_meet_owasp_and_old_ones_still_work_but_are_flagged():
    n, r, p, salt, key = access.parse_hash(HASH)
    assert (n, r, p) == (2**17, 8, 1) and len(salt) == 16 and len(key) == 32
    old = access.hash_password(PASSWORD, n=2**15)
    assert access.verify_password(PASSWORD, old) and not access.hash_is_current(old)
    assert access.hash_is_current(HASH)


def test_the_throttle_outlives_sessions_and_restarts_and_slows_only_the_guessing_address(tmp_path):
    now = [1_000_000.0]
    first = access.Throttle(tmp_path / "payoff.duckdb.signin")
    spent = 0.0
    for _ in range(50):  # a guesser who tries again the moment the wait allows
        wait = first.wait("10.0.0.9", now[0])
        now[0] += wait
        spent += wait
        first.failed("10.0.0.9", now[0])
    documented = sum(access.retry_delay(k) for k in range(1, 50))
    assert spent == pytest.approx(documented) and documented > 40 * access.MAX_DELAY_SECONDS
    restarted = access.Throttle(tmp_path / "payoff.duckdb.signin")  # another process, or after a restart
    assert restarted.wait("10.0.0.9", now[0]) == pytest.approx(access.MAX_DELAY_SECONDS)
    assert restarted.wait("10.0.0.7", now[0]) == 0.0  # someone else signs in at once
    restarted.succeeded("10.0.0.9")
    assert restarted.wait("10.0.0.9", now[0]) == 0.0


def test_guessing_spread_over_many_addresses_slows_the_whole_server(tmp_path):
    throttle, now = access.Throttle(tmp_path / "signin"), 5_000.0
    for i in range(access.SERVER_FAILURES):
        throttle.failed(f"10.1.{i // 250}.{i % 250}", now + i * 0.1)
    last = now + (access.SERVER_FAILURES - 1) * 0.1
    assert throttle.wait("192.168.0.1", last) == pytest.approx(access.SERVER_DELAY_SECONDS)
    assert throttle.wait("192.168.0.1", last + access.SERVER_DELAY_SECONDS) == 0.0


def test_fifty_wrong_passwords_from_reconnecting_sessions_wait_the_documented_time(demo_copy, monkeypatch):
    cheap = access.hash_password(PASSWORD, n=2**10)  # the hash's cost is not what is measured here
    _password_mode(monkeypatch, cheap)
    now = [2_000_000.0]
    monkeypatch.setattr(access, "_clock", lambda: now[0])
    checked, waited = 0, 0.0
    while checked < 50:
        at = _sign_in(_app(), f"wrong guess {checked}")  # a new browser session each time (a reconnect)
        refused = [w.value for w in at.warning if "try again in" in w.value]
        if refused:
            seconds = access.Throttle(demo_copy.with_name(demo_copy.name + ".signin")).wait(None, now[0])
            assert f"try again in {int(-(-seconds // 1))} s" in refused[0]
            now[0] += seconds
            waited += seconds
        else:
            assert any(e.value == "Wrong password." for e in at.error)
            checked += 1
    assert waited == pytest.approx(sum(access.retry_delay(k) for k in range(1, 50)))
    at = _sign_in(_app(), PASSWORD)  # the right password, from the same (unknown) address, too soon
    assert any("try again in" in w.value for w in at.warning) and not _data_shown(at)
    now[0] += access.MAX_DELAY_SECONDS
    at = _sign_in(_app(), PASSWORD)
    assert not at.exception and _data_shown(at), "after the wait the right password works"


def test_payoff_app_runs_streamlit_as_a_server_not_a_development_loop(tmp_path, monkeypatch):
    """XSRF and CORS stay on whatever a config.toml says; no full garbage collection after every page and no
    source watching (the load test measured the collection at two thirds of a busy server's time)."""
    from pipelines import cli

    for name in ("PAYOFF_AUTH", "PAYOFF_PASSWORD_HASH", "PAYOFF_UPLOAD_LIMIT_MB"):
        monkeypatch.delenv(name, raising=False)
    started = {}

    def execve(path, argv, env):
        started.update(argv=argv, env=env)
        raise SystemExit(0)

    monkeypatch.setattr(cli.os, "execve", execve)
    with pytest.raises(SystemExit):
        cli.main(["--db", str(tmp_path / "p.duckdb"), "app", "--port", "8599"])
    argv = started["argv"]
    options = dict(zip(argv[5::2], argv[6::2]))
    assert argv[1:4] == ["-m", "streamlit", "run"] and argv[4].endswith("dashboard/app.py")
    assert options["--server.address"] == "127.0.0.1" and options["--server.port"] == "8599"
    assert (options["--server.enableXsrfProtection"], options["--server.enableCORS"]) == ("true", "true")
    assert (options["--runner.postScriptGC"], options["--server.fileWatcherType"]) == ("false", "none")
    assert started["env"]["PAYOFF_DB"] == str((tmp_path / "p.duckdb").resolve())
