"""Who may see the data: the sign-in setting, password hashes and the rules `payoff app` enforces.

Pure standard library (no Streamlit): `payoff app` checks the setting before it starts the
server, and `dashboard/access.py` applies the same rules to every browser session.

The one setting is `PAYOFF_AUTH`:
    none      (default) no sign-in; allowed only when the app is bound to a loopback address
    password  a shared password; its salted scrypt hash is in secrets (`payoff password` makes it);
              failed attempts are throttled per client address and per server (Throttle)
    oidc      Streamlit's `st.login` against the identity provider in the `[auth]` secrets section

Where settings come from — the rule: the environment wins over secrets. `PAYOFF_AUTH` beats
`[payoff] auth`, `PAYOFF_PASSWORD_HASH` beats `[payoff] password_hash`. Secrets are Streamlit's
`secrets.toml` files (`~/.streamlit/`, then `./.streamlit/`, then `dashboard/.streamlit/`;
later files win). Keep Payoff's keys in the [payoff] table: Streamlit copies top-level plain
secrets into the server's environment, where they would override the real one. For example:

    [payoff]
    auth = "password"
    password_hash = "scrypt$131072$8$1$<salt>$<hash>"
    # oidc only, optional: who may enter ("@example.com" admits a whole domain)
    allowed_emails = ["alice@example.com", "@example.com"]
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import hmac
import importlib.util
import ipaddress
import os
import json
import secrets
import time
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pipelines.config import PROJECT_ROOT
from pipelines.errors import PayoffError

AUTH_ENV = "PAYOFF_AUTH"
HASH_ENV = "PAYOFF_PASSWORD_HASH"
SECRETS_SECTION = "payoff"  # [payoff] in secrets.toml
AUTH_MODES = ("none", "password", "oidc")
DEFAULT_MODE = "none"

HASH_SCHEME = "scrypt"
SCRYPT_N = 2**17  # cost: 128 MiB and ~0.4 s per check, OWASP's minimum for scrypt (N=2^17, r=8, p=1)
SCRYPT_R = 8  # block size: the usual value
SCRYPT_P = 1  # parallelism: one core per check on a shared 2-core box
SCRYPT_MAX_N = 2**20  # refuse hashes that would take more than ~1 GiB to check
SALT_BYTES = 16  # 128-bit random salt per hash
KEY_BYTES = 32  # 256-bit derived key
MIN_PASSWORD_LENGTH = 12  # a shared team password faces the network: long enough to resist guessing

FREE_ATTEMPTS = 3  # failed sign-ins allowed from an address without a wait (typos happen)
FIRST_DELAY_SECONDS = 2.0  # the wait after the first failure beyond the free ones; doubles each time
MAX_DELAY_SECONDS = 60.0  # the wait never grows beyond this
SERVER_FAILURES = 100  # failures from anywhere within the window after which every address is slowed ...
SERVER_WINDOW_SECONDS = 600.0  # ... (guessing spread over many addresses)
SERVER_DELAY_SECONDS = 5.0  # ... to one checked attempt per this many seconds after the latest failure
FORGET_SECONDS = 86_400.0  # an address's failures are forgotten a day after its last wait ended
_clock = time.time  # wall-clock seconds: the throttle outlives processes (tests replace it)

LOOPBACK_NAMES = ("localhost",)
OIDC_REQUIRED_KEYS = ("redirect_uri", "cookie_secret")  # what st.login needs in [auth] beside a provider
OIDC_PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")


class AccessError(PayoffError):
    """The sign-in setting is wrong or unsafe; the message says which setting to change."""


@dataclass(frozen=True)
class AccessConfig:
    """The resolved sign-in setting, and where each part came from."""

    mode: str = DEFAULT_MODE
    source: str = "default"  # "environment", "secrets" or "default"
    password_hash: str | None = None
    oidc_providers: tuple[str | None, ...] = ()  # None: the default provider in [auth] itself
    allowed_emails: tuple[str, ...] = ()  # empty: whoever the identity provider accepts

    def describe(self) -> str:
        """One line for `payoff app` to print at start (never the hash itself)."""
        if self.mode == "none":
            return "sign-in: none (local use only)"
        if self.mode == "password":
            return f"sign-in: password (PAYOFF_AUTH from {self.source})"
        who = ", ".join(self.allowed_emails) if self.allowed_emails else "anyone the identity provider accepts"
        return f"sign-in: oidc (PAYOFF_AUTH from {self.source}); allowed: {who}"


# --- password hashes -------------------------------------------------------------------------------


def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """A salted scrypt hash as one string: scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>."""
    if not password:
        raise AccessError("the password is empty")
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(password, salt, n, r, p, KEY_BYTES)
    return "$".join([HASH_SCHEME, str(n), str(r), str(p), _b64(salt), _b64(key)])


def hash_is_current(stored: str) -> bool:
    """Whether a stored hash is at least as costly as the ones `payoff password` makes now (older, cheaper
    ones are still accepted; `payoff app` says to make a new one)."""
    n, r, p, _, _ = parse_hash(stored)
    return n >= SCRYPT_N and r >= SCRYPT_R


def verify_password(password: str, stored: str) -> bool:
    """True when the password matches the stored hash (constant-time compare); a malformed hash raises."""
    n, r, p, salt, key = parse_hash(stored)
    candidate = _scrypt(password, salt, n, r, p, len(key))
    return hmac.compare_digest(candidate, key)


def parse_hash(stored: str) -> tuple[int, int, int, bytes, bytes]:
    """The parts of a stored hash; AccessError names what is wrong, never the value."""
    parts = str(stored).strip().split("$")
    if len(parts) != 6 or parts[0] != HASH_SCHEME:
        raise AccessError("the password hash is not in the form scrypt$<n>$<r>$<p>$<salt>$<hash>: "
                          "make a new one with 'payoff password'")
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt, key = (base64.b64decode(x, validate=True) for x in parts[4:6])
    except ValueError:
        raise AccessError("the password hash is damaged (bad number or base64): "
                          "make a new one with 'payoff password'") from None
    if n < 2 or n & (n - 1) or n > SCRYPT_MAX_N or not 1 <= r <= 64 or not 1 <= p <= 16 or not salt or len(key) < 16:
        raise AccessError("the password hash has unusable parameters: make a new one with 'payoff password'")
    return n, r, p, salt, key


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    maxmem = 128 * r * (n + p + 2) + 1024 * 1024  # what scrypt needs, plus slack; OpenSSL's default is 32 MiB
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=maxmem)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def check_new_password(password: str) -> None:
    """Refuse a password too short to face the network (before hashing it)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccessError(f"the password is too short: use at least {MIN_PASSWORD_LENGTH} characters "
                          "(a passphrase of a few words is fine)")


# --- the setting -----------------------------------------------------------------------------------


def access_config(env: Mapping[str, str], secrets_: Mapping) -> AccessConfig:
    """Resolve and check the sign-in setting: environment first, then secrets; AccessError when unusable."""
    section = secrets_.get(SECRETS_SECTION) or {}
    if not isinstance(section, Mapping):
        raise AccessError(f"[{SECRETS_SECTION}] in secrets.toml must be a table")
    if env.get(AUTH_ENV, "").strip():
        raw, source = env[AUTH_ENV], "environment"
    elif section.get("auth"):
        raw, source = section["auth"], "secrets"
    else:
        raw, source = DEFAULT_MODE, "default"
    mode = str(raw).strip().lower()
    if mode not in AUTH_MODES:
        raise AccessError(f"{AUTH_ENV}={raw!r} is not one of {', '.join(AUTH_MODES)}")
    if mode == "password":
        stored = (env.get(HASH_ENV) or "").strip() or section.get("password_hash")
        if not stored:
            raise AccessError(f"{AUTH_ENV}=password but no password hash is set: run 'payoff password' and put "
                              f"its line under [{SECRETS_SECTION}] in .streamlit/secrets.toml (or set {HASH_ENV})")
        parse_hash(stored)
        return AccessConfig(mode, source, password_hash=str(stored).strip())
    if mode == "oidc":
        emails = section.get("allowed_emails") or ()
        if isinstance(emails, str) or not all(isinstance(e, str) for e in emails):
            raise AccessError(f"[{SECRETS_SECTION}] allowed_emails must be a list of addresses or '@domain's")
        return AccessConfig(mode, source, oidc_providers=oidc_providers(secrets_.get("auth")),
                            allowed_emails=tuple(e.strip().lower() for e in emails if e.strip()))
    return AccessConfig(mode, source)


def oidc_providers(auth: Mapping | None) -> tuple[str | None, ...]:
    """The identity providers in the [auth] secrets section; AccessError when st.login could not work."""
    if not auth or not isinstance(auth, Mapping):
        raise AccessError(f"{AUTH_ENV}=oidc needs an [auth] section in .streamlit/secrets.toml (redirect_uri, "
                          "cookie_secret, client_id, client_secret, server_metadata_url): see Streamlit's st.login")
    missing = [key for key in OIDC_REQUIRED_KEYS if key not in auth]
    if missing:
        raise AccessError(f"the [auth] section in secrets.toml lacks {', '.join(missing)}")
    providers: list[str | None] = [None] if "client_id" in auth else []
    providers += [name for name, value in auth.items() if isinstance(value, Mapping) and "client_id" in value]
    if not providers:
        raise AccessError("the [auth] section in secrets.toml names no identity provider: add "
                          f"{', '.join(OIDC_PROVIDER_KEYS)} (or an [auth.<name>] table with them)")
    if importlib.util.find_spec("authlib") is None:
        raise AccessError(f"{AUTH_ENV}=oidc needs Authlib: pip install 'streamlit[auth]'")
    return tuple(providers)


def email_allowed(email: str | None, allowed: tuple[str, ...], *, verified: bool | None = None) -> bool:
    """Whether a signed-in identity may see the data (an empty allow-list admits everyone signed in)."""
    if not allowed:
        return True
    if not email or verified is False:  # an unverified address proves nothing about who it is
        return False
    email = email.strip().lower()
    return any(email == entry or (entry.startswith("@") and email.endswith(entry)) for entry in allowed)


def is_loopback(address: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost: addresses only this machine can reach."""
    if not address:
        return False  # empty means every interface
    if address.strip().lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(address.strip().strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def check_bind(address: str | None, config: AccessConfig) -> None:
    """Refuse to serve the data without sign-in on an address other machines can reach."""
    if config.mode == "none" and not is_loopback(address):
        raise AccessError(f"refusing to serve on {address or 'every interface'} without sign-in: "
                          f"set {AUTH_ENV}=password or {AUTH_ENV}=oidc (README: Sign-in for a team), "
                          "or use --address 127.0.0.1")


def retry_delay(failures: int) -> float:
    """Seconds an address waits before its next sign-in attempt is checked, after this many failures."""
    if failures <= FREE_ATTEMPTS:
        return 0.0
    return min(FIRST_DELAY_SECONDS * 2 ** (failures - FREE_ATTEMPTS - 1), MAX_DELAY_SECONDS)


# --- secrets files, as Streamlit reads them (for `payoff app`, which starts before Streamlit) ---------


def secrets_files(cwd: str | os.PathLike | None = None) -> list[Path]:
    """Streamlit's default secrets.toml locations for dashboard/app.py, in the order it merges them."""
    here = Path(cwd) if cwd else Path.cwd()
    return [Path.home() / ".streamlit" / "secrets.toml", here / ".streamlit" / "secrets.toml",
            PROJECT_ROOT / "dashboard" / ".streamlit" / "secrets.toml"]


def server_environment(environ: Mapping[str, str], secrets_: Mapping) -> dict[str, str]:
    """The environment the Streamlit server will see: it copies top-level plain secrets into os.environ."""
    return {**environ, **{k: str(v) for k, v in secrets_.items() if type(v) in (str, int, float)}}


def read_secrets(paths: list[Path]) -> dict:
    """Merge the secrets files that exist (later files win per top-level key); AccessError on bad TOML."""
    merged: dict = {}
    for path in paths:
        if not path.is_file():
            continue
        try:
            merged.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
            raise AccessError(f"{path}: cannot read the secrets file ({exc})") from None
    return merged


# --- throttling guesses ------------------------------------------------------------------------------


@dataclass
class Throttle:
    """Failed sign-ins, per client address and for the whole server, kept in a file beside the database.

    A browser session can be thrown away and reopened, and a server restarted, at no cost to someone
    guessing: so the count and the wait live here, not in the session. Per address: FREE_ATTEMPTS free,
    then a wait of FIRST_DELAY_SECONDS doubling to MAX_DELAY_SECONDS before the next attempt is even
    checked; a right password clears that address. For the server: past SERVER_FAILURES failures from
    anywhere in SERVER_WINDOW_SECONDS, every address waits SERVER_DELAY_SECONDS between attempts (guessing
    spread over many addresses), which still lets the right password in after the wait.
    The file is read and written under an exclusive lock, so several server processes share it.
    """

    path: Path

    def wait(self, address: str | None, now: float | None = None) -> float:
        """Seconds before an attempt from this address may be checked (0: now)."""
        now = _clock() if now is None else now
        with self._state() as state:
            mine = state["addresses"].get(_address_key(address), {})
            recent = [t for t in state["server"] if t > now - SERVER_WINDOW_SECONDS]
            server_wait = (max(recent) + SERVER_DELAY_SECONDS - now) if len(recent) >= SERVER_FAILURES else 0.0
            return max(0.0, mine.get("retry_at", 0.0) - now, server_wait)

    def failed(self, address: str | None, now: float | None = None) -> float:
        """Count a failed attempt; returns the wait it sets for this address."""
        now = _clock() if now is None else now
        with self._state(write=True) as state:
            key = _address_key(address)
            mine = state["addresses"].setdefault(key, {"failures": 0, "retry_at": 0.0})
            mine["failures"] += 1
            mine["retry_at"] = now + retry_delay(mine["failures"])
            state["addresses"] = {k: v for k, v in state["addresses"].items()
                                  if v.get("retry_at", 0.0) > now - FORGET_SECONDS}
            state["server"] = [t for t in state["server"] if t > now - SERVER_WINDOW_SECONDS] + [now]
            return retry_delay(mine["failures"])

    def succeeded(self, address: str | None) -> None:
        """A right password: this address starts afresh."""
        with self._state(write=True) as state:
            state["addresses"].pop(_address_key(address), None)

    @contextmanager
    def _state(self, write: bool = False) -> Iterator[dict]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.seek(0)
            try:
                state = json.loads(handle.read() or "{}")
            except ValueError:  # a damaged file: start afresh rather than lock everyone out
                state = {}
            state.setdefault("addresses", {})
            state.setdefault("server", [])
            yield state
            if write:
                handle.seek(0)
                handle.truncate()
                json.dump(state, handle)
                handle.flush()
                os.fsync(handle.fileno())


def throttle_for(db_path: str | os.PathLike) -> Throttle:
    """The throttle of the dashboard serving this database (its file beside the database)."""
    return Throttle(Path(str(db_path) + ".signin"))


def _address_key(address: str | None) -> str:
    return address or "unknown address"
