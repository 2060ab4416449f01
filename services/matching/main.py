"""The matching service: ranks job seekers for vacancies (and back), and says why."""

from __future__ import annotations

from fastapi import FastAPI

from shared.app import check_database, check_redis, check_secret, create_app
from shared.settings import get_settings


def check_model() -> str | None:
    if not get_settings().matching_load_model:
        return "model: disabled (MATCHING_LOAD_MODEL=0)"
    from services.matching.embedding.model import model_problem

    return model_problem()


def check_esco() -> str | None:
    try:
        from services.matching.esco.catalog import get_catalog

        get_catalog()
        return None
    except Exception as exc:
        return f"esco: {exc}"[:300]


def _warm_up() -> None:
    # Load the catalogue, recogniser and model at start so the first request is not the slow one.
    from services.matching.esco.recognise import get_recogniser
    from services.matching.ranking.lexical import get_ngrams

    try:
        get_recogniser().descriptions  # noqa: B018 - built now, not by the first order event
        get_ngrams()
        if get_settings().matching_load_model:
            from services.matching.embedding.model import get_embedder

            get_embedder()
    except Exception:  # /ready reports what is missing; the process stays up to say so
        pass


def build_app() -> FastAPI:
    import services.matching.models  # noqa: F401

    from services.matching.candidates.erasures import router as erasures
    from services.matching.candidates.routes import router as candidates
    from services.matching.ranking.routes import router as matches
    from services.matching.records.routes import router as records
    from services.matching.vacancies.routes import router as vacancies

    return create_app(
        "matching",
        [matches, candidates, vacancies, erasures, records],
        ready_checks=[check_database, check_redis, check_secret, check_esco, check_model],
        on_startup=[_warm_up],
        description="Kandidater, stillinger og rangering med forklaring (ESCO, embeddings, ordningsregler).",
    )


app = build_app()
