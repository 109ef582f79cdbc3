"""The cultnet command line and the Streamlit explorer. Renders; does not compute."""
