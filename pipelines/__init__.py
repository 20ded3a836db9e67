"""Payoff engine: ingest CRM exports into DuckDB, build the account × period panel, analyse."""

__version__ = "0.1.0"
