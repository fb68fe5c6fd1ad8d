"""The recommendations app's queries, one module per concern (``reviews``: reviews, the rating
summary, the moderation figures). Inside the app, import from the specific module."""
