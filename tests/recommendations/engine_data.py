"""A slice of MovieLens 100k (users 1 to 80 of /work/shared/data/movielens-100k/u.data, as GroupLens
published it) for the engine's tests."""

from pathlib import Path

from recommendations.engine import evaluate

SLICE = Path(__file__).parent / "data" / "ml100k-users-1-80.data"


def movielens_slice():
    with SLICE.open() as lines:
        return evaluate.read_movielens(lines)
