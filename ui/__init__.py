"""Streamlit helpers shared by the pages: i18n, sidebar, charts, training jobs, canvas."""
