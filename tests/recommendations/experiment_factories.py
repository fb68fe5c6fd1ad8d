"""A/B tests for the tests: drafted and started through the services."""

from recommendations.services.experiments import experiment_create, experiment_start, experiment_variant_save


def running_test(placement="product_bought_together", *, treatment=None, control_weight=50, minimum_effect="0.10"):
    """A running test of ``placement``: a control and one treatment (``treatment``: its values)."""
    experiment = experiment_create(name=f"Test of {placement}", placement=placement, minimum_effect=minimum_effect)
    control = experiment_variant_save(experiment_id=experiment.pk, key="control", name="As it is", is_control=True,
                                      weight=control_weight)
    other = experiment_variant_save(experiment_id=experiment.pk, key="b", name="Treatment", weight=50,
                                    **(treatment or {"size": 1}))
    return experiment_start(experiment_id=experiment.pk), control, other
