"""A test-only task for the worker tests: it blocks until the test releases it.

Loaded only by workers the tests start (``celery worker -I tests.integration.celery_probe_tasks``);
no production module imports it.
"""

import json
import os
import time

import redis
from celery import shared_task
from django.conf import settings


@shared_task(name="tests.probe_wait_for_release", bind=True)
def probe_wait_for_release(self, key: str) -> str:
    """Record this attempt under ``<key>:attempts``, then wait until ``<key>:release`` exists.

    A message left over from an interrupted run (its test is gone, ``<key>:armed`` deleted) returns at once.
    """
    client = redis.Redis.from_url(settings.REDIS_URL)
    if not client.exists(f"{key}:armed"):
        return "stale"
    attempt = {"pid": os.getpid(), "hostname": self.request.hostname,
               "redelivered": bool((self.request.delivery_info or {}).get("redelivered"))}
    client.rpush(f"{key}:attempts", json.dumps(attempt))
    while not client.exists(f"{key}:release"):
        time.sleep(0.05)
    return f"released after {client.llen(f'{key}:attempts')} attempt(s)"
