"""Product search, kept by the catalog itself (no outside search server).

- ``text``: how text becomes folded terms (pure, no Django);
- ``index``: the index tables (``SearchDocument``, ``SearchTerm``), kept by the catalog commands;
- ``vocabulary``: the indexed terms and their frequencies, cached, for prefixes and typos;
- ``query``: what a query means, the ranked products it finds, and what an empty result offers.
"""
