"""The recommendations app's commands, one module per concern: ``reviews`` (what customers write,
vote and flag) and ``review_moderation`` (what staff decide). Each runs in one transaction with its
span and records its event; inside the app, import from the specific module."""
