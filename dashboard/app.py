"""Payoff dashboard entry point: page config and navigation, nothing else."""

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).parent / "app_pages"

st.set_page_config(page_title="Payoff", page_icon="📈", layout="wide")

navigation = st.navigation(
    {
        "Data": [
            st.Page(PAGES / "loaded.py", title="What's loaded", icon=":material/database:", default=True),
        ],
    }
)
navigation.run()
