"""Filters a leader applies across pages: date range and account attributes (segment, region, team...)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd


@dataclass(frozen=True)
class Filters:
    """Which accounts and periods an analysis covers; empty means everything."""

    start: date | None = None
    end: date | None = None
    attributes: tuple[tuple[str, tuple[str, ...]], ...] = field(default_factory=tuple)  # (attribute, allowed values)

    @property
    def active(self) -> bool:
        return bool(self.start or self.end or any(values for _, values in self.attributes))

    def describe(self) -> str:
        """'segment: SMB, Enterprise · from Jan 2025' for captions and report footers."""
        parts = [f"{name.replace('_', ' ')}: {', '.join(values)}" for name, values in self.attributes if values]
        if self.start:
            parts.append(f"from {self.start:%d %b %Y}")
        if self.end:
            parts.append(f"to {self.end:%d %b %Y}")
        return " · ".join(parts) or "all accounts and periods"

    def accounts(self, panel: pd.DataFrame) -> pd.Series:
        """Boolean mask over panel rows: the account passes every attribute filter."""
        mask = pd.Series(True, index=panel.index)
        for name, values in self.attributes:
            if values and name in panel.columns:
                mask &= panel[name].astype(str).isin(values)
        return mask

    def apply(self, panel: pd.DataFrame) -> pd.DataFrame:
        """Panel rows of the chosen accounts and periods (undated rows pass the date filter)."""
        mask = self.accounts(panel)
        if "period_on" in panel:
            periods = pd.to_datetime(panel["period_on"])
            if self.start:
                mask &= periods.isna() | (periods >= pd.Timestamp(self.start))
            if self.end:
                mask &= periods.isna() | (periods <= pd.Timestamp(self.end))
        return panel[mask]

    def apply_events(self, events: pd.DataFrame, panel: pd.DataFrame) -> pd.DataFrame:
        """Outcome events of the chosen accounts inside the date range."""
        keep = set(panel.loc[self.accounts(panel), "account_id"])
        out = events[events["account_id"].isin(keep)]
        when = pd.to_datetime(out["occurred_on"])
        if self.start:
            out = out[when >= pd.Timestamp(self.start)]
            when = pd.to_datetime(out["occurred_on"])
        if self.end:
            out = out[when <= pd.Timestamp(self.end)]
        return out
