"""A Jobbro worker asked to stop lets go of Redis at once (shared/jobs.py), not after RQ's 60 s
pubsub sleep: Docker kills a container 10 s after SIGTERM, and a killed worker's job is retried."""

from __future__ import annotations

import time

import pytest


@pytest.mark.redis
def test_a_stopping_worker_ends_its_command_listener_even_when_the_unsubscribe_reply_comes_first(redis_conn, monkeypatch):
    from redis.client import PubSub

    from shared.jobs import JobbroWorker

    worker = JobbroWorker(["shutdown-test"], connection=redis_conn)
    worker.subscribe()
    thread = worker.pubsub_thread
    deadline = time.monotonic() + 5
    while not worker.pubsub.subscribed and time.monotonic() < deadline:
        time.sleep(0.01)
    assert worker.pubsub.subscribed

    # The race CI lost: the listener reads the UNSUBSCRIBE reply before the worker tells it to
    # stop, and then waits to be subscribed again. Hold the worker back after the unsubscribe so
    # the listener always gets there first.
    original = PubSub.unsubscribe

    def unsubscribe_then_pause(self, *args):
        result = original(self, *args)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(PubSub, "unsubscribe", unsubscribe_then_pause)
    started = time.monotonic()
    worker.unsubscribe()
    thread.join(timeout=5)
    took = time.monotonic() - started
    assert not thread.is_alive(), "the command listener was still waiting after 5 s"
    assert took < 5
