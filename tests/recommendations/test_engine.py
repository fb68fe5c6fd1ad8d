"""The pure recommender engine, on a slice of MovieLens 100k: no database."""

import warnings

import numpy as np
import pytest
from implicit.evaluation import ranking_metrics_at_k
from implicit.nearest_neighbours import CosineRecommender

from recommendations import engine
from recommendations.engine import evaluate
from tests.recommendations.engine_data import movielens_slice

FAST = {"als": {"factors": 16, "iterations": 8}, "bpr": {"factors": 16, "iterations": 30}, "item_knn": {}, "popularity": {}}


@pytest.fixture(scope="module")
def data():
    return movielens_slice()


@pytest.fixture(scope="module")
def models(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {name: engine.fit(name, data, {**params, "num_threads": 1} if name != "popularity" else params)
                for name, params in FAST.items()}


def test_every_model_answers_the_protocol(models):
    for model in models.values():
        assert isinstance(model, engine.Recommender)


@pytest.mark.parametrize("name", list(FAST))
def test_model_round_trips_through_bytes_with_the_same_answers(models, data, name):
    # given a trained model and one user's interactions
    model = models[name]
    interactions = data.row_of(int(data.user_ids[3]))
    # when it is written and read back
    again = engine.load(model.to_bytes())
    # then it answers the same, to the score
    assert again.algorithm == model.algorithm and again.params == model.params
    _same(again.recommend(interactions, 10), model.recommend(interactions, 10))
    product = int(data.item_ids[0])
    _same(again.similar(product, 5), model.similar(product, 5))


def _same(got, expected):
    assert [pid for pid, _ in got] == [pid for pid, _ in expected]
    assert [score for _, score in got] == pytest.approx([score for _, score in expected])


@pytest.mark.parametrize("name", list(FAST))
def test_recommend_never_returns_what_was_seen_or_excluded(models, data, name):
    interactions = data.row_of(int(data.user_ids[0]))
    first = [pid for pid, _ in models[name].recommend(interactions, 5)]
    answer = models[name].recommend(interactions, 10, exclude=first)
    ids = [pid for pid, _ in answer]
    assert len(ids) == 10 == len(set(ids))
    assert not set(ids) & set(interactions) and not set(ids) & set(first)
    assert [s for _, s in answer] == sorted((s for _, s in answer), reverse=True)


def test_unknown_products_are_ignored_and_nothing_known_gives_nothing(models):
    for name in ("als", "bpr", "item_knn"):
        assert models[name].recommend({10**9: 5.0}, 10) == []
        assert models[name].similar(10**9, 10) == []
        assert not models[name].knows(10**9)


def test_similar_never_returns_the_product_itself(models, data):
    product = int(data.item_ids[10])
    for name in ("als", "bpr", "item_knn"):
        ids = [pid for pid, _ in models[name].similar(product, 10)]
        assert ids and product not in ids


def test_als_recalculated_user_ranks_like_the_trained_user(data):
    # given ALS trained with implicit directly, the same parameters
    from implicit.cpu.als import AlternatingLeastSquares

    params = {"factors": 16, "regularization": 0.05, "iterations": 8, "random_state": 7, "num_threads": 1}
    ours = engine.fit("als", data, params)
    theirs = AlternatingLeastSquares(factors=16, regularization=0.05, iterations=8, random_state=7, num_threads=1)
    theirs.fit(data.matrix, show_progress=False)
    # when a known user is served from their interactions alone (recalculated factors)
    overlap = []
    for row in range(0, 80, 8):
        interactions = data.row_of(int(data.user_ids[row]))
        mine = {pid for pid, _ in ours.recommend(interactions, 10)}
        ids, _ = theirs.recommend(row, data.matrix[row], N=10)
        overlap.append(len(mine & set(data.item_ids[ids].tolist())) / 10)
    # then the answers are those of the trained user factors, nearly
    assert np.mean(overlap) >= 0.8


def test_a_new_interaction_changes_the_recommendations_at_once(models, data):
    # real time: the same model, one more interaction, another answer, without retraining
    interactions = data.row_of(int(data.user_ids[5]))
    before = models["als"].recommend(interactions, 10)
    added = before[0][0]
    after = models["als"].recommend({**interactions, added: 5.0}, 10)
    assert added not in [pid for pid, _ in after]
    assert after != before


def test_load_refuses_anything_but_a_model_file():
    with pytest.raises(engine.ModelFormatError):
        engine.load(b"not a model")
    import io
    import pickle

    buffer = io.BytesIO()
    np.save(buffer, np.array([object()], dtype=object), allow_pickle=True)
    with pytest.raises(engine.ModelFormatError):
        engine.load(pickle.dumps({"meta": "x"}))
    with pytest.raises(engine.ModelFormatError):
        engine.load(buffer.getvalue())


def test_fit_refuses_an_unknown_algorithm_and_no_data(data):
    with pytest.raises(ValueError):
        engine.fit("deep", data)
    empty = engine.InteractionMatrix.from_triples([], [], [])
    with pytest.raises(ValueError):
        engine.fit("als", empty)


def test_holdout_split_is_seeded_and_holds_out_a_fifth_of_each_user(data):
    one = evaluate.holdout_split(data, seed=1)
    again = evaluate.holdout_split(data, seed=1)
    other = evaluate.holdout_split(data, seed=2)
    assert (one.test != again.test).nnz == 0 and (one.test != other.test).nnz > 0
    assert one.train.nnz + one.test.nnz == data.nnz
    held, total = np.diff(one.test.indptr), np.diff(data.matrix.indptr)
    assert np.all(held == np.maximum(1, np.round(total * 0.2)).astype(int))
    assert one.train.matrix.multiply(one.test).nnz == 0


def test_metrics_are_implicits_ranking_metrics(data):
    # given item-item cosine neighbours, scored by implicit's own ranking_metrics_at_k
    split = evaluate.holdout_split(data, seed=42)
    theirs = CosineRecommender(K=50, num_threads=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs.fit(split.train.matrix, show_progress=False)
        expected = ranking_metrics_at_k(theirs, split.train.matrix, split.test, K=10, show_progress=False, num_threads=1)
    # when ours (the same neighbours) is scored by the engine's evaluation
    ours = engine.fit("item_knn", split.train, {"neighbours": 50, "num_threads": 1})
    got = evaluate.score(ours, split, k=10)
    # then the figures agree (up to the order of ties)
    assert got.precision == pytest.approx(expected["precision"], abs=0.01)
    assert got.ndcg == pytest.approx(expected["ndcg"], abs=0.01)


def test_als_beats_popularity_on_the_slice(data):
    split = evaluate.holdout_split(data, seed=42)
    results = evaluate.compare(split, [
        ("popularity", lambda train: engine.fit("popularity", train)),
        ("als", lambda train: engine.fit("als", train, {"factors": 8, "regularization": 1.0, "num_threads": 1})),
    ])
    popularity, als = results
    assert als.precision > popularity.precision and als.coverage > popularity.coverage
    text = evaluate.table(results)
    assert "precision@10" in text and text.count("\n") == 3


def test_read_movielens_refuses_a_malformed_line():
    with pytest.raises(ValueError, match="line 2"):
        evaluate.read_movielens(["1\t2\t3\t4", "x y"])
    with pytest.raises(ValueError):
        evaluate.read_movielens([])
