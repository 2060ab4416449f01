"""Every matching table, imported in one place so Alembic and tests see the whole metadata."""

from services.matching.candidates.models import Candidate
from services.matching.index.models import IndexState, StoredVector
from services.matching.records.models import RankingRecord, RankingRecordAction, RankingRecordEntry
from services.matching.vacancies.models import Outcome, Vacancy

__all__ = ["Candidate", "IndexState", "Outcome", "RankingRecord", "RankingRecordAction", "RankingRecordEntry",
           "StoredVector", "Vacancy"]
