"""PyTorch Hands-on Lab engine: the course's models and training loops in pure PyTorch/NumPy, no Streamlit."""
