"""Several web machines (or gunicorn workers) share the sign-in limits through the database.

Nothing beyond the database is needed: the attempts are rows every process reads and writes.
"""
import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from models import SignInAttempt, db
from tests import factories

from .machines import failed_sign_ins

pytestmark = pytest.mark.committed
PARALLEL_GUESSES = 24


def test_sign_in_failures_on_one_machine_count_on_another(database_url):
    """Each machine is its own process with its own app and its own connections."""
    email = "someone@example.com"
    context = multiprocessing.get_context("spawn")
    seen = []
    for _machine in range(2):
        results = context.Queue()
        process = context.Process(target=failed_sign_ins, args=(database_url, email, 3, results))
        process.start()
        seen.append([results.get(timeout=60) for _ in range(3)])
        process.join(30)
    # the limit is 5 failures per e-mail address in 10 minutes, counted across machines
    assert seen == [[401, 401, 401], [401, 401, 429]]


def test_of_many_parallel_guesses_only_the_limit_get_their_password_checked(app):
    with app.app_context():
        factories.create_user(email="target@example.com")
    start_together = threading.Barrier(PARALLEL_GUESSES)

    def guess(n):
        client = app.test_client()
        start_together.wait()
        return client.post("/api/v1/auth/token", json={"email": "target@example.com", "password": f"guess-{n}"},
                           environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code

    with ThreadPoolExecutor(max_workers=PARALLEL_GUESSES) as pool:
        statuses = list(pool.map(guess, range(PARALLEL_GUESSES)))
    checked = statuses.count(401)
    # never more than the limit; fewer when guesses counted each other while still in flight (on a busy host
    # all of them may be saved before any counts, and then none is checked: refused, and not counted)
    assert 0 <= checked <= 5 and statuses.count(429) == PARALLEL_GUESSES - checked
    one_more = {"email": "target@example.com", "password": "one-more"}
    while app.test_client().post("/api/v1/auth/token", json=one_more).status_code == 401:
        checked += 1
    assert checked == 5  # then exactly the limit, counted by everyone
    with app.app_context():
        assert db.session.query(SignInAttempt).count() == 5


@pytest.mark.parametrize("spelling", ["Target@Example.com", " target@example.com ", "target @example.com",
                                      "ｔａｒｇｅｔ@example.com"])
def test_changing_case_spaces_or_width_of_the_address_does_not_reset_the_count(app, spelling):
    with app.app_context():
        factories.create_user(email="target@example.com")
    client = app.test_client()
    for _ in range(5):
        client.post("/api/v1/auth/token", json={"email": "target@example.com", "password": "wrong"})
    response = client.post("/api/v1/auth/token", json={"email": spelling, "password": "wrong"})
    assert response.status_code == 429


def test_a_json_body_sent_as_text_plain_is_counted_under_its_address(app):
    with app.app_context():
        factories.create_user(email="target@example.com")
    client = app.test_client()
    statuses = [client.post("/api/v1/auth/token", data='{"email": "target@example.com", "password": "wrong"}',
                            content_type="text/plain").status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    other = client.post("/api/v1/auth/token", data='{"email": "other@example.com", "password": "wrong"}',
                        content_type="text/plain")
    assert other.status_code == 401  # a different address still has its own count
