"""PyTorch Hands-on Lab engine: pure PyTorch/NumPy, no Streamlit. See ../shared/design.md."""
