"""Pure Plotly builders: a tidy frame in, a Figure out. Pages and reports draw the same charts."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

PALETTE = ["#2563eb", "#f97316", "#16a34a", "#9333ea", "#dc2626", "#0891b2", "#ca8a04", "#db2777"]
FONT = "Inter, Segoe UI, Helvetica, Arial, sans-serif"


def _style(fig: go.Figure, title: str | None = None, height: int = 380) -> go.Figure:
    fig.update_layout(
        title=title, height=height, font_family=FONT, template="plotly_white",
        margin=dict(l=10, r=10, t=50 if title else 20, b=10),
        legend=dict(orientation="h", yanchor="top", y=-0.2, x=0, title_text=""),
    )
    return fig


def activity_by_month(frame: pd.DataFrame) -> go.Figure:
    """Stacked monthly activity volume by type: shows gaps and changes in logging."""
    if frame.empty:
        return _style(go.Figure(), "Activities logged per month")
    fig = px.bar(frame, x="month_on", y="activities", color="activity", color_discrete_sequence=PALETTE,
                 labels={"month_on": "Month", "activities": "Activities", "activity": "Activity"})
    fig.update_layout(bargap=0.15)
    return _style(fig, "Activities logged per month")


def accounts_by(frame: pd.DataFrame, attribute: str) -> go.Figure:
    """Horizontal bars: accounts per value of one attribute."""
    fig = px.bar(frame.sort_values("accounts"), x="accounts", y="value", orientation="h",
                 color_discrete_sequence=PALETTE[:1], labels={"value": attribute.replace("_", " ").title(),
                                                              "accounts": "Accounts"})
    return _style(fig, f"Accounts by {attribute.replace('_', ' ')}", height=max(220, 40 * len(frame) + 80))
