"""Serving recommendations: what the pages and the API show (README "Recommendations: serving").

- ``serve``: a placement's list for a shopper (``recommendations_serve``), the business rules, the ids;
- ``intents``: the candidates of each intent without a model (popular, trending, bought together, content);
- ``placements``: the placements and their merchandising rules, as serving reads them (cached);
- ``cache``: the local and Redis levels, with versions instead of deletes;
- ``shopper``: who a list is for, and their recent history;
- ``reactions``: what a shopper does reaches their lists (the journey's signal, the bus);
- ``bought_together``: the co-purchase read model and its rebuild;
- ``tracking``: the lists served, written in one INSERT per request; clicks as an engine source;
- ``performance``: lists, impressions, clicks and CTR per placement, intent and model version.
"""
