"""Several web machines share one Redis for sign-in limits: failures on one count on the others.

Needs the Redis server of a deployment (REDIS_URL, default 127.0.0.1:6379); without one the test
is skipped and says so, unless REQUIRE_REDIS=1 (.ci/run), which makes it a failure.
"""
import multiprocessing
import os
import uuid

import pytest
import redis

from .machines import failed_sign_ins

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
pytestmark = pytest.mark.committed


@pytest.fixture
def redis_url():
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as error:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"REQUIRE_REDIS=1 but Redis at {REDIS_URL} is unreachable: {error}")
        pytest.skip(f"Redis at {REDIS_URL} is unreachable: {error}")
    return REDIS_URL


def test_sign_in_failures_on_one_machine_count_on_another(database_url, redis_url):
    """Each machine is its own process with its own app (the limiter keeps its storage per process)."""
    prefix, email = f"qs-test-{uuid.uuid4().hex}", "someone@example.com"
    context = multiprocessing.get_context("spawn")
    seen = []
    for _machine in range(2):
        results = context.Queue()
        process = context.Process(target=failed_sign_ins, args=(database_url, redis_url, prefix, email, 3, results))
        process.start()
        seen.append([results.get(timeout=60) for _ in range(3)])
        process.join(30)
    # the limit is 5 failures per e-mail address in 10 minutes, counted across machines
    assert seen == [[401, 401, 401], [401, 401, 429]]
