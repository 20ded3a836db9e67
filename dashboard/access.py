"""The sign-in gate: app.py calls `require_sign_in()` before navigation, filters or any query.

The rules (which setting, environment over secrets, hash format) live in `pipelines.access`;
this module only draws the sign-in and remembers success in `st.session_state`, i.e. for one
browser session (a reload of the tab asks again). Nothing here reads the database, and the
password is never logged, echoed or kept.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Mapping
from pathlib import Path

import streamlit as st

from pipelines.audit import BROWSER, Actor, os_user
from pipelines.access import AccessConfig, AccessError, access_config, check_bind, email_allowed, throttle_for, \
    verify_password
from pipelines.config import settings

MODE_KEY = "_payoff_auth_mode"  # session_state: the sign-in mode this session passed (for who did what)
SIGNED_IN_KEY = "_payoff_signed_in"  # session_state: fingerprint of the hash this session signed in against


def require_sign_in() -> None:
    """Return only when this browser session may see the data; otherwise draw sign-in or the error and stop."""
    try:
        config = access_config(os.environ, _secrets())
        address = st.get_option("server.address")
        if address:  # unset only under AppTest; `streamlit run` reads dashboard/.streamlit/config.toml
            check_bind(address, config)
    except AccessError as exc:
        _closed(f"Payoff cannot start: {exc}")
        st.stop()
    if config.mode == "password":
        _password_gate(config.password_hash or "")
    elif config.mode == "oidc":
        _oidc_gate(config)
    st.session_state[MODE_KEY] = config.mode


def client_address() -> str | None:
    """The browser's address as the server sees it (a reverse proxy's, behind one), or None when unknown."""
    address = getattr(st.context, "ip_address", None)
    return address if isinstance(address, str) and address else None


def current_actor() -> Actor:
    """Who this browser session is, for the audit trail: the identity provider's address (oidc), 'shared
    password' (password: the password names no one, so the client's address is what tells sessions apart),
    or the server's OS user (no sign-in: local use only); via the browser, from the client's address."""
    address = client_address()
    via = f"{BROWSER} from {address}" if address else BROWSER
    mode = st.session_state.get(MODE_KEY)
    if mode == "oidc":
        who = st.user.get("email") or st.user.get("name") or "signed-in user"
    elif mode == "password":
        who = "shared password"
    else:
        who = os_user()
    return Actor(str(who), via)


def _secrets() -> Mapping:
    """Streamlit's secrets as a plain dict; a secrets file that exists but does not parse is an error."""
    if st.secrets.load_if_toml_exists():
        return st.secrets.to_dict()
    broken = [p for p in st.get_option("secrets.files") if Path(p).exists()]
    if broken:  # fail closed: an unreadable file may be the one that turns sign-in on
        raise AccessError(f"{broken[0]} exists but cannot be read as TOML")
    return {}


def _closed(message: str) -> None:
    st.title("Payoff")
    st.error(message, icon=":material/lock:")


def _password_gate(stored: str) -> None:
    """The shared-password sign-in form; failed attempts are throttled per client address and per server in a
    file beside the database (pipelines.access.Throttle), so a new session or a restart does not reset them."""
    fingerprint = hashlib.sha256(stored.encode("utf-8")).hexdigest()  # a new hash signs every session out
    if st.session_state.get(SIGNED_IN_KEY) == fingerprint:
        st.sidebar.button("Sign out", key="payoff_sign_out", icon=":material/logout:", on_click=_sign_out)
        return
    st.title("Payoff")
    st.caption("Sign in to see the data.")
    with st.form("payoff_sign_in", clear_on_submit=True, border=False):
        password = st.text_input("Password", type="password", key="payoff_password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        throttle, address = throttle_for(settings().db_path), client_address()
        wait = throttle.wait(address)
        if wait > 0:  # not even checked: a guess costs the guesser the wait, not the server a hash
            st.warning(f"Too many failed attempts from here: try again in {math.ceil(wait)} s.",
                       icon=":material/lock_clock:")
        elif password and verify_password(password, stored):
            throttle.succeeded(address)
            st.session_state[SIGNED_IN_KEY] = fingerprint
            st.rerun()
        else:
            throttle.failed(address)
            st.error("Wrong password.")
    st.stop()


def _sign_out() -> None:
    st.session_state.pop(SIGNED_IN_KEY, None)


def _oidc_gate(config: AccessConfig) -> None:
    """Streamlit's own sign-in (st.login) against the identity provider in [auth], plus the allow-list."""
    user = st.user
    if user.get("is_logged_in"):
        email = user.get("email")
        if email_allowed(email, config.allowed_emails, verified=user.get("email_verified")):
            st.sidebar.caption(f"Signed in as {email or user.get('name') or 'you'}")
            st.sidebar.button("Sign out", key="payoff_sign_out", icon=":material/logout:", on_click=st.logout)
            return
        _closed(f"{email or 'This account'} may not see this data. Ask whoever runs Payoff to add it.")
        st.button("Sign out", key="payoff_sign_out", on_click=st.logout)
        st.stop()
    st.title("Payoff")
    st.caption("Sign in with your organisation's account to see the data.")
    for provider in config.oidc_providers:
        label = "Sign in" if provider is None else f"Sign in with {provider.capitalize()}"
        st.button(label, key=f"payoff_login_{provider or 'default'}", type="primary", icon=":material/login:",
                  on_click=st.login, args=(provider,) if provider else ())
    st.stop()
