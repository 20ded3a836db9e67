"""Payoff's Streamlit dashboard: thin pages over the pipelines engine."""
