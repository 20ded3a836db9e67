"""Who changed the numbers, and from where: loads, undos, rebuilds and reports, as the audit trail keeps them.

Every write that changes what the pages say (a load, an undo, a rebuild of the panel) and every
leadership report made records an `Actor`: the signed-in user in the browser (their address, or
"shared password" with the client's address), or the operating-system user on the command line.
Loads and undos also carry it on their row of `loads`, so `payoff loads`, the Data page and the
deck's lineage slide name who loaded each file.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import duckdb

from pipelines.db import table_exists

if TYPE_CHECKING:
    import pandas as pd

COMMAND_LINE = "command line"
BROWSER = "browser"


@dataclass(frozen=True)
class Actor:
    """Who did something (a user name or e-mail address) and from where ('command line', 'browser from 10.0.0.5')."""

    who: str
    via: str

    def describe(self) -> str:
        return f"{self.who} ({self.via})"


def os_user() -> str:
    """The operating-system user running this process."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (e.g. an arbitrary container uid)
        return "unknown user"


def command_line() -> Actor:
    """The actor of a command-line write: the OS user, from the command line."""
    return Actor(os_user(), COMMAND_LINE)


def record(con: duckdb.DuckDBPyConnection, actor: Actor | None, action: str, detail: str = "",
           load_id: int | None = None) -> None:
    """One line of the audit trail (inside the caller's transaction, when it has one)."""
    actor = actor or command_line()
    con.execute("insert into audit_log (happened_at, who, via, action, load_id, detail) values (?, ?, ?, ?, ?, ?)",
                [datetime.now(), actor.who, actor.via, action, load_id, detail])


def trail(con: duckdb.DuckDBPyConnection, limit: int | None = None) -> pd.DataFrame:
    """The audit trail, newest first."""
    sql = "select happened_at, who, via, action, load_id, detail from audit_log order by happened_at desc, rowid desc"
    if not table_exists(con, "audit_log"):  # a database from before the trail, opened read-only
        sql = ("select null::timestamp as happened_at, null::varchar as who, null::varchar as via, "
               "null::varchar as action, null::integer as load_id, null::varchar as detail where false")
    if limit is not None:
        return con.execute(sql + " limit ?", [int(limit)]).df()
    return con.execute(sql).df()
