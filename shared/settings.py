"""One settings object for every service, read from the environment and `.env`.

Names follow `../shared/api-contract.md`; they are binding for operators.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(default=f"sqlite:///{REPO_ROOT / 'var' / 'jobbro.sqlite3'}")
    redis_url: str = "redis://127.0.0.1:6379/0"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025

    jobbro_municipality_code: int = 330
    jobbro_admin_email: str | None = None
    jobbro_admin_password: str | None = None
    jobbro_demo_data: bool = True

    # Secrets come only from the environment in production; the default exists so that a laptop
    # run works, and /ready warns when it is still in use.
    jobbro_secret_key: str = "dev-insecure-change-me"
    jobbro_token_minutes: int = 8 * 60

    jobbro_rules_file: Path = REPO_ROOT / "shared" / "rules" / "scheme_rules.yaml"
    esco_dir: Path = REPO_ROOT.parent / "shared" / "esco"

    crm_url: str = "http://127.0.0.1:8001"
    matching_url: str = "http://127.0.0.1:8002"
    notifications_url: str = "http://127.0.0.1:8003"

    # The jobcentre's local time: a "day" in filters and follow-ups is a Danish calendar day.
    jobbro_timezone: str = "Europe/Copenhagen"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
