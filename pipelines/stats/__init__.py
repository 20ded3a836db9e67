"""Driver statistics: which activities are associated with each outcome, by how much, when, how surely.

Pure pandas + statsmodels on frames read from the marts; never imports streamlit.
"""
