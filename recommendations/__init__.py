"""Recommendations: what shoppers say about products and what the shop suggests to them.

Part 1 (issue 11): reviews and ratings (five axes, a weighted score, photos, helpful votes, flags,
moderation, the review request after delivery, a per-product rating summary kept as a read model),
product questions and answers, and manufacturer content. Part 2 (issue 12): the recommender
engine, trained on orders, journey steps and ratings.

It reads orders through ``orders.selectors`` and the journey through ``commerce.audit``; nothing in
the core or in orders imports it (``ARCHITECTURE.md``).
"""
