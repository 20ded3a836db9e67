"""Exports that are safe to open in a spreadsheet."""

from __future__ import annotations

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets read as the start of a formula


def neutralise(value):
    """Prefix a text cell a spreadsheet would run as a formula with a quote, so it shows as text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_csv(frame: pd.DataFrame) -> str:
    """CSV text of a frame with every formula-like text cell (and header) neutralised.

    Lines end in CRLF (RFC 4180), so the writer also quotes a cell holding a lone carriage
    return, which a spreadsheet would otherwise read as the end of the row.
    """
    out = frame.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    return out.to_csv(index=False, lineterminator="\r\n")
