"""Offline geography: centroid geocoding, haversine road distances (cached), travel time, zones."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from logistics import geography
from logistics.errors import CentroidsInvalid
from logistics.geography import Address, Point, distance_matrix, haversine_km, travel_minutes
from logistics.models import DeliveryZone, PostcodeCentroid
from logistics.planning import Location, haversine_matrices
from logistics.services import centroids_load, fleet_save
from logistics.services.centroids import read_centroids
from tests.factories import events
from tests.logistics.factories import centre

pytestmark = pytest.mark.django_db

LYON = Point(Decimal("45.764043"), Decimal("4.835659"))
PARIS = Point(Decimal("48.856614"), Decimal("2.352222"))


@pytest.fixture(autouse=True)
def _fresh_providers():
    geography.provider_reset()
    yield
    geography.provider_reset()


def test_haversine_gives_the_great_circle_distance():
    assert haversine_km(LYON, PARIS) == pytest.approx(391.5, abs=1.0)
    assert haversine_km(LYON, LYON) == 0


def test_road_distances_are_haversine_times_the_road_factor(settings):
    settings.LOGISTICS_ROAD_FACTOR = "1.5"

    rows = distance_matrix([LYON, PARIS])

    assert rows[0][0] == 0 and rows[0][1] == rows[1][0]
    assert rows[0][1] == pytest.approx(haversine_km(LYON, PARIS) * 1.5)


def test_the_app_and_the_planner_measure_with_one_haversine(settings):
    """The offline matrix the app plans with and the planner's own ``haversine_matrices`` agree to the metre."""
    settings.LOGISTICS_ROAD_FACTOR = "1.3"
    points = [LYON, PARIS, Point(Decimal("45.750000"), Decimal("4.850000"))]

    app = distance_matrix(points)
    planner, _ = haversine_matrices([Location(float(p.latitude), float(p.longitude)) for p in points], road_factor=1.3)

    assert [[round(km * 1000) for km in row] for row in app] == planner.tolist()


def test_a_matrix_asked_twice_is_computed_once(monkeypatch):
    calls = []
    real = geography.HaversineMatrix.distances
    monkeypatch.setattr(geography.HaversineMatrix, "distances", lambda self, points: calls.append(points) or real(self, points))

    first = distance_matrix([LYON, PARIS])
    second = distance_matrix([LYON, PARIS])

    assert first == second and len(calls) == 1
    distance_matrix([PARIS, LYON])  # other points (another order): another matrix
    assert len(calls) == 2


def test_travel_time_is_distance_over_the_speed_rounded_up():
    assert travel_minutes(Decimal("10"), Decimal("30")) == 20
    assert travel_minutes(Decimal("10.1"), Decimal("30")) == 21
    assert travel_minutes(Decimal("0"), Decimal("30")) == 0


def test_points_refuse_positions_off_the_earth():
    with pytest.raises(ValueError):
        Point(Decimal("91"), Decimal("0"))
    assert Point.of(None, "4.8") is None


def test_the_shipped_centroid_file_loads_once_and_geocodes_by_postcode_then_city():
    call_command("load_postcode_centroids")
    loaded = PostcodeCentroid.objects.count()
    assert loaded >= 40

    counts = centroids_load()  # again: nothing new

    assert counts == {"created": 0, "updated": 0, "unchanged": loaded}
    assert [e.payload["created"] for e in events("logistics.centroids.loaded")] == [loaded]
    by_postcode = Address(street="1 Rue", city="Villeurbanne", zip_code="69 100", country="fr").located()
    assert by_postcode.coordinates == Point(Decimal("45.771900"), Decimal("4.880000"))
    by_city = Address(street="1 Rue", city="vénissieux", zip_code="", country="FR").located()
    assert by_city.coordinates == Point(Decimal("45.697600"), Decimal("4.886700"))
    assert Address(street="1 Rue", city="Nowhere", zip_code="99999", country="FR").located().coordinates is None


def test_an_address_with_coordinates_keeps_them():
    own = Point(Decimal("45.1"), Decimal("4.1"))
    assert Address(street="", city="Lyon", zip_code="69001", country="FR", coordinates=own).located().coordinates == own


@pytest.mark.parametrize("line", [
    "FR,69001,Lyon,91.0,4.8", "FR,69001,Lyon,45.7,abc", "FRA,69001,Lyon,45.7,4.8", "FR,,Lyon,45.7,4.8", "FR,69001,,45.7,4.8",
    "FR,69001,Lyon,٤٥.٧,4.8",
])
def test_a_centroid_file_with_a_bad_row_is_refused(line):
    with pytest.raises(CentroidsInvalid, match="Line 2"):
        read_centroids(["country,postcode,city,latitude,longitude", line])


def test_the_load_command_refuses_a_bad_file_and_changes_nothing(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("country,postcode,city,latitude,longitude\nFR,69001,Lyon,45.7,4.8\nFR,69002,Lyon,95,4.8\n")

    with pytest.raises(CommandError, match="Line 3"):
        call_command("load_postcode_centroids", str(bad))

    assert not PostcodeCentroid.objects.exists()


class _FixedGeocoder:
    def geocode(self, address):
        return Point(Decimal("1"), Decimal("2"))


def test_a_real_geocoder_replaces_the_offline_one_by_setting(settings):
    settings.LOGISTICS_GEOCODER = f"{__name__}._FixedGeocoder"

    located = Address(street="", city="Anywhere", zip_code="1", country="US").located()

    assert located.coordinates == Point(Decimal("1"), Decimal("2"))


def test_the_zone_is_the_longest_postcode_prefix_then_the_nearest_radius():
    north = centre("north", prefixes=("69",))
    fleet_save(obj=DeliveryZone(centre=north, code="villeurbanne", name="Villeurbanne", postcode_prefixes=["69100"],
                                window_start="08:00", window_end="12:00", speed_kmh=Decimal("20")))
    centre("far", prefixes=(), radius_km=Decimal("30"), latitude=Decimal("45.20"), longitude=Decimal("5.70"))

    def zone(zip_code, point=None):
        found = Address(street="", city="", zip_code=zip_code, country="FR", coordinates=point).delivery_zone()
        return found.code if found else None

    assert zone("69100") == "villeurbanne"
    assert zone("69003") == "north-zone"
    assert zone("38000", Point(Decimal("45.19"), Decimal("5.72"))) == "far-zone"  # Grenoble: within 30 km of "far"
    assert zone("75001", PARIS) is None


def test_the_distance_between_two_addresses_is_by_road():
    a = Address(street="", city="Lyon", zip_code="", country="FR", coordinates=LYON)
    b = Address(street="", city="Paris", zip_code="", country="FR", coordinates=PARIS)

    assert a.distance_to(b) == geography.km(haversine_km(LYON, PARIS) * 1.3)
    assert a.distance_to(Address(street="", city="Nowhere", zip_code="", country="FR")) is None
