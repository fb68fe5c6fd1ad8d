"""The recommendations REST API (one module per concern: reviews, questions, content); urls.py lists them."""
