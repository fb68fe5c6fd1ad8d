"""The offline measurement command on a slice of MovieLens 100k and on the shop's own interactions."""

import pytest
from django.core.management import CommandError, call_command

from tests.recommendations.engine_data import SLICE
from tests.recommendations.test_services_training import _small_training, shop  # noqa: F401 (fixtures)


def test_evaluate_a_movielens_file_prints_the_table(capsys, settings):
    settings.RECOMMENDATIONS_TRAINING = {**settings.RECOMMENDATIONS_TRAINING, "candidates": {
        "for_you": {"als": {"factors": 8, "regularization": 1.0, "num_threads": 1}}}}
    call_command("recommendations_evaluate", movielens=str(SLICE))
    out = capsys.readouterr().out
    assert "80 customers" in out and "seed 42" in out
    lines = {line.split()[0]: line.split() for line in out.splitlines()[3:]}
    assert set(lines) == {"als", "popularity"}
    assert float(lines["als"][1]) > float(lines["popularity"][1])


def test_evaluate_refuses_a_missing_or_malformed_file(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("recommendations_evaluate", movielens=str(tmp_path / "none.data"))
    bad = tmp_path / "bad.data"
    bad.write_text("1\t2\n")
    with pytest.raises(CommandError, match="line 1"):
        call_command("recommendations_evaluate", movielens=str(bad))


@pytest.mark.django_db
def test_evaluate_the_live_interactions(capsys, shop):  # noqa: F811
    call_command("recommendations_evaluate", live=True, purpose="similar")
    out = capsys.readouterr().out
    assert "the shop's interactions: 6 customers, 8 products, 24 interactions" in out and "item_knn" in out


@pytest.mark.django_db
def test_seed_demo_trains_and_activates_a_model_per_purpose(django_capture_on_commit_callbacks):
    import io

    from recommendations.models import ModelVersion
    from recommendations.selectors.engine import active_recommender, forget_loaded

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--products", "20", "--customers", "6", stdout=out)
    assert set(ModelVersion.objects.filter(state="active").values_list("purpose", flat=True)) == {"for_you", "similar"}
    assert "Recommender (For you):" in out.getvalue() and "activated as version" in out.getvalue()
    forget_loaded()
    assert active_recommender("for_you") is not None
    again = io.StringIO()
    call_command("seed_demo_recommender", stdout=again)
    assert ModelVersion.objects.count() == 2 and "left as it is" in again.getvalue()
