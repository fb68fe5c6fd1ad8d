"""Properties of every model of the engine, on random small shops (hypothesis)."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommendations import engine

ALGORITHMS = {"als": {"factors": 4, "iterations": 2, "num_threads": 1}, "bpr": {"factors": 4, "iterations": 3, "num_threads": 1},
              "item_knn": {"neighbours": 5, "num_threads": 1}, "popularity": {}}

triples = st.lists(st.tuples(st.integers(1, 12), st.integers(100, 130), st.sampled_from([1.0, 3.0, 5.0])),
                   min_size=1, max_size=80)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=triples, algorithm=st.sampled_from(sorted(ALGORITHMS)), n=st.integers(0, 40),
       asked=st.dictionaries(st.integers(95, 135), st.floats(0.1, 10), max_size=6),
       exclude=st.sets(st.integers(95, 135), max_size=6))
def test_answers_are_known_unseen_unexcluded_unique_sorted_and_survive_the_file(rows, algorithm, n, asked, exclude):
    users, items, weights = zip(*rows, strict=True)
    data = engine.InteractionMatrix.from_triples(users, items, weights)
    model = engine.fit(algorithm, data, ALGORITHMS[algorithm])
    answer = model.recommend(asked, n, exclude=exclude)
    ids = [pid for pid, _ in answer]
    assert len(ids) == len(set(ids)) <= n
    assert all(model.knows(pid) for pid in ids)
    assert not set(ids) & (set(asked) | exclude)
    scores = [score for _, score in answer]
    assert scores == sorted(scores, reverse=True) and all(np.isfinite(scores))
    if not any(model.knows(pid) for pid in asked) and algorithm != "popularity":
        assert answer == []
    again = engine.load(model.to_bytes())
    assert [pid for pid, _ in again.recommend(asked, n, exclude=exclude)] == ids
    for product in set(items) | {999}:
        similar = [pid for pid, _ in model.similar(product, 5)]
        assert product not in similar and all(model.knows(pid) for pid in similar)


@settings(max_examples=25, deadline=None)
@given(rows=triples)
def test_the_matrix_sums_repeated_pairs_and_keeps_both_id_maps(rows):
    users, items, weights = zip(*rows, strict=True)
    data = engine.InteractionMatrix.from_triples(users, items, weights)
    expected = {}
    for user, item, weight in rows:
        expected[(user, item)] = expected.get((user, item), 0.0) + weight
    got = {(int(u), pid): w for u in data.user_ids for pid, w in data.row_of(int(u)).items()}
    assert got.keys() == expected.keys()
    assert all(abs(got[k] - expected[k]) < 1e-4 for k in expected)
    assert data.nnz == len(expected)
