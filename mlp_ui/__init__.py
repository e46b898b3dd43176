"""Streamlit glue for MLP Playground: session state, the sidebar, the live loop, views.

Pages call into this package; it calls the figure builders and the engine.
"""
