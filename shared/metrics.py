"""Prometheus metrics every service exposes at `/metrics`."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

REQUEST_LATENCY = Histogram(
    "jobbro_http_request_duration_seconds",
    "HTTP request latency by service, method, route template and status class",
    ["service", "method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.3, 0.5, 1, 2.5, 5),
)
JOB_FAILURES = Counter("jobbro_job_failures_total", "RQ jobs that raised", ["queue", "job"])
EMAILS_SENT = Counter("jobbro_emails_sent_total", "E-mails accepted by the SMTP server", ["kind"])


def render() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST
