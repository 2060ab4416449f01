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
    def perform_job(self, job, queue, execution) -> bool:
        with request_context(job.meta.get("request_id") or f"job-{job.id}"):
            return super().perform_job(job, queue, execution)
