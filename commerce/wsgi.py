import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commerce.settings")
# One BLAS thread per process, set before numpy loads: the recommender's training and serving run
# ~5x faster so on a shared machine (implicit parallelises on its own). An environment value wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
application = get_wsgi_application()
