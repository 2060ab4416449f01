"""The RQ worker every Jobbro worker process runs: jobs in-process, logs in JSON with the request id.

A job enqueued while a request was served carries that request's id in `job.meta` (see
`shared.logs.job_meta`); the job's log lines then share it, so one id follows a change from the
web front through the API into the worker. A job without one (periodic jobs) logs under its own
job id.
"""

from __future__ import annotations

from rq import SimpleWorker

from shared.logs import request_context


class JobbroWorker(SimpleWorker):
    def unsubscribe(self) -> None:
        """Stop listening for RQ's commands without waiting up to a minute at shutdown.

        RQ unsubscribes and then stops its pubsub thread. With redis-py >= 8.2 that stop joins
        the thread without a timeout, and the thread, once unsubscribed, sleeps up to RQ's
        60 s `sleep_time` waiting to be subscribed again: a stopped worker then outlived
        Docker's 10 s grace period and was killed. Clearing the thread's run flag first means
        the UNSUBSCRIBE reply itself ends the thread's loop.
        """
        thread = self.pubsub_thread
        if thread is None:
            return
        self.log.info("Worker %s: unsubscribing from channel %s", self.name, self.pubsub_channel_name)
        try:
            thread.stop(timeout=0)  # clears the run flag; the join waits for nothing
        except TypeError:  # redis-py < 8.2: stop() only clears the flag
            thread.stop()
        try:
            self.pubsub.unsubscribe()
        except Exception as exc:  # Redis already gone: nothing to unsubscribe from
            self.log.warning("Worker %s: unsubscribe failed: %s", self.name, exc)
        thread.join(timeout=2)

    def perform_job(self, job, queue, execution) -> bool:
        with request_context(job.meta.get("request_id") or f"job-{job.id}"):
            return super().perform_job(job, queue, execution)
