"""Streamlit-facing helpers of the dashboard (charts, theme, state, briefing)."""
