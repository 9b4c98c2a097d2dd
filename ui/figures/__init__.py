"""Figures of the lessons: pure Plotly and Pillow builders, one module per topic (and `images` for what
several share). They never import streamlit: a test builds them from plain data and checks what they show.
"""
