#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commerce.settings")
    # One BLAS thread per process, set before numpy loads: the recommender's training and serving run
    # ~5x faster so on a shared machine (implicit parallelises on its own). An environment value wins.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
