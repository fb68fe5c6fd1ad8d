"""Drivers for vehicles before solving, and for the planned routes after: optimal matchings with reasons."""

import itertools

from logistics.planning import TimeWindow
from logistics.planning.crews import Crew, NoDriver, Seat, Trip, pair, staff

H = 3600
B, C1, C = 1, 2, 3


def crew(name, licence=B, starts=7, ends=17):
    return Crew(name, licence, TimeWindow(starts * H, ends * H))


def test_the_biggest_vehicles_get_the_longest_shifts_whatever_the_order():
    seats = [Seat("small", B, 100), Seat("big", B, 1000)]
    crews = [crew("long", starts=7, ends=19), crew("short", starts=12, ends=15)]
    for order in itertools.permutations(crews):
        assert pair(seats, list(order), opens=6 * H, closes=20 * H).pairs == {"big": "long", "small": "short"}


def test_as_many_vehicles_as_possible_are_staffed_keeping_the_higher_licences_for_who_needs_them():
    seats = [Seat("van", B, 100), Seat("lorry", C, 1000, "C"), Seat("truck", C1, 500, "C1")]
    crews = [crew("c-driver", C), crew("c1-driver", C1), crew("b-driver", B)]

    done = pair(seats, crews, opens=6 * H, closes=20 * H)

    assert done.pairs == {"lorry": "c-driver", "truck": "c1-driver", "van": "b-driver"}
    assert done.unstaffed == ()


def test_a_vehicle_without_a_driver_says_why():
    seats = [Seat("lorry", C, 1000, "C"), Seat("van-1", B, 100), Seat("van-2", B, 100), Seat("truck", C1, 500, "C1")]
    crews = [crew("b-driver", B), crew("night-c1", C1, starts=21, ends=23)]

    done = pair(seats, crews, opens=6 * H, closes=20 * H)

    reasons = {u.id: (u.reason, u.text) for u in done.unstaffed}
    assert len(done.pairs) == 1 and set(done.pairs.values()) == {"b-driver"}
    assert reasons["lorry"] == (NoDriver.NO_LICENCE, "no driver on shift holds a licence for it (C)")
    assert reasons["truck"] == (NoDriver.NO_TIME, "no driver with the licence (C1) is on shift from 06:00 to 20:00")
    assert {reasons[v][0] for v in ("van-1", "van-2") if v not in done.pairs} == {NoDriver.TAKEN}


def test_a_route_keeps_its_planned_driver_or_gets_another_who_fits():
    trips = [Trip("r1", B, 8 * H, 12 * H, preferred="ann"), Trip("r2", B, 9 * H, 16 * H, preferred="bob")]
    crews = [crew("ann"), crew("bob"), crew("cat")]
    assert staff(trips, crews).pairs == {"r1": "ann", "r2": "bob"}

    without_bob = staff(trips, [crew("ann"), crew("cat")])  # bob was given another route meanwhile
    assert without_bob.pairs == {"r1": "ann", "r2": "cat"} and without_bob.unstaffed == ()


def test_a_route_nobody_fits_keeps_no_driver_with_the_reason():
    trips = [Trip("long", B, 7 * H, 19 * H, preferred="ann"), Trip("heavy", C, 8 * H, 10 * H, licence_name="C"),
             Trip("a", B, 8 * H, 9 * H), Trip("b", B, 8 * H, 9 * H)]
    crews = [crew("ann", starts=7, ends=17), crew("bob", starts=8, ends=12)]

    done = staff(trips, crews)

    reasons = {u.id: (u.reason, u.text) for u in done.unstaffed}
    assert reasons["long"] == (NoDriver.NO_TIME, "no driver with the licence is on shift from 07:00 to 19:00")
    assert reasons["heavy"] == (NoDriver.NO_LICENCE, "no driver on shift holds a licence for it (C)")
    assert sorted(done.pairs) == ["a", "b"] and set(done.pairs.values()) == {"ann", "bob"}


def test_nothing_to_staff_or_nobody_to_staff_it():
    assert pair([], [crew("ann")], opens=0, closes=H) == pair([], [], opens=0, closes=H)
    alone = pair([Seat("van", B, 1)], [], opens=0, closes=H)
    assert alone.pairs == {} and alone.unstaffed[0].reason == NoDriver.NO_LICENCE
    assert staff([], [crew("ann")]).pairs == {}
    assert staff([Trip("r", B, 0, H)], []).unstaffed[0].reason == NoDriver.NO_LICENCE


def test_a_driver_busy_elsewhere_is_never_matched_and_makes_the_reason_taken():
    busy = Crew("ann", B, TimeWindow(7 * H, 17 * H), free=False)
    assert pair([Seat("van", B, 1)], [busy], opens=6 * H, closes=20 * H).unstaffed[0].reason == NoDriver.TAKEN
    done = staff([Trip("r", B, 8 * H, 9 * H, preferred="ann")], [busy])
    assert done.pairs == {} and done.unstaffed[0].reason == NoDriver.TAKEN
