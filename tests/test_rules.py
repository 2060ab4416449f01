"""The rulebook on its own: dated scheme rules, and a change in the law as a change in data."""

from datetime import date

import pytest

from shared.rules import Rulebook
from shared.settings import get_settings


@pytest.fixture(scope="module")
def book() -> Rulebook:
    return Rulebook.from_file(get_settings().jobbro_rules_file)


# -- IGU: 18-39 before 2024, 18 to under 50 from 2024 ----------------------------------------------

def test_igu_age_limit_was_under_40_before_2024(book):
    breach = book.check_igu(birth_year=1978, starts_on=date(2023, 6, 1))  # 44-45 years old
    assert breach is not None and breach.rule == "igu_alder"
    assert breach.figures["under_alder"] == 40
    assert breach.figures["alder_ved_start"] == [44, 45]
    assert "18-39" in breach.law


def test_igu_age_limit_is_under_50_from_2024(book):
    assert book.check_igu(birth_year=1978, starts_on=date(2024, 6, 1)) is None
    too_old = book.check_igu(birth_year=1970, starts_on=date(2024, 6, 1))  # 53-54
    assert too_old is not None and too_old.figures["under_alder"] == 50


def test_igu_age_is_judged_on_both_possible_ages_from_the_birth_year(book):
    # Born 1984, starting 2023: 38 or 39 — inside 18-39, so no breach.
    assert book.check_igu(1984, date(2023, 3, 1)) is None
    # Born 1983: 39 or 40 — one of them is allowed, so still no breach (least data: no birth date).
    assert book.check_igu(1983, date(2023, 3, 1)) is None
    # Born 1982: 40 or 41 — both too old under the pre-2024 rule.
    assert book.check_igu(1982, date(2023, 3, 1)) is not None
    # Too young: born 2007, starting 2024 means 16 or 17.
    assert book.check_igu(2007, date(2024, 3, 1)).figures["alder_ved_start"] == [16, 17]


def test_igu_needs_a_birth_year_and_cannot_start_after_2027(book):
    unknown = book.check_igu(None, date(2025, 1, 1))
    assert unknown is not None and "fødselsår" in unknown.message
    late = book.check_igu(1995, date(2028, 1, 3))
    assert late is not None and late.rule == "igu_sidste_start"
    assert late.figures["seneste_start"] == "2027-12-31"
    assert book.check_igu(1995, date(2027, 12, 31)) is None


# -- duration ---------------------------------------------------------------------------------------

def test_praktik_for_a_dagpenge_is_four_weeks(book):
    start = date(2025, 3, 3)
    assert book.check_duration("virksomhedspraktik", "a_dagpenge", "privat", start, date(2025, 3, 30)) is None
    breach = book.check_duration("virksomhedspraktik", "a_dagpenge", "privat", start, date(2025, 3, 31))
    assert breach is not None and breach.rule == "max_varighed"
    assert breach.figures["seneste_slutdato"] == "2025-03-30"
    assert breach.figures["udvidet_max"] == 8
    assert "LAB § 61" in breach.law


def test_loentilskud_depends_on_the_employers_sector_and_target_group(book):
    start = date(2025, 1, 1)
    end = date(2025, 10, 31)  # 10 months
    private = book.check_duration("loentilskud", "sygedagpenge", "privat", start, end)
    public = book.check_duration("loentilskud", "sygedagpenge", "kommunal", start, end)
    assert private is not None and private.figures["max"] == 6
    assert public is None  # 12 months at a public employer for sygedagpenge
    public_dagpenge = book.check_duration("loentilskud", "a_dagpenge", "statslig", start, date(2025, 5, 1))
    assert public_dagpenge is not None and public_dagpenge.figures["max"] == 4


def test_a_limited_scheme_without_an_end_date_is_a_breach_and_unlimited_ones_pass(book):
    breach = book.check_duration("igu", None, "privat", date(2025, 1, 1), None)
    assert breach is not None and "slutdato" in breach.message
    assert book.check_duration("ordinaer", None, "privat", date(2025, 1, 1), None) is None
    assert book.check_duration("nytteindsats", "kontanthjaelp_jobparat", "kommunal", date(2025, 1, 1), None) is None


# -- ratio rule (rimelighedskrav) -------------------------------------------------------------------

@pytest.mark.parametrize(
    ("employees", "capacity"),
    [(0, 1), (3, 1), (5, 1), (10, 2), (49, 9), (50, 10), (59, 10), (60, 11), (75, 12), (150, 20)],
)
def test_ratio_capacity_one_per_five_then_one_per_ten(book, employees, capacity):
    rule = book.ratio_rule(date(2025, 1, 1))
    assert Rulebook.ratio_capacity(rule, employees) == capacity


def test_ratio_breach_carries_the_figures_and_ignores_other_schemes(book):
    day = date(2025, 1, 1)
    assert book.check_ratio("virksomhedspraktik", 10, 1, day) is None
    breach = book.check_ratio("loentilskud", 10, 2, day)
    assert breach is not None and breach.rule == "rimelighedskrav"
    assert breach.figures == {"ordinaert_ansatte": 10, "tilladt": 2, "aktive": 2, "efter_oprettelse": 3}
    assert "§ 65" in breach.law
    assert book.check_ratio("fleksjob", 10, 20, day) is None
    assert book.check_ratio("virksomhedspraktik", None, 20, day) is None  # employees unknown: no basis


# -- a rule change is a data change -----------------------------------------------------------------

def _changed_law() -> dict:
    law_old = "LAB § 61 (til 2025)"
    law_new = "Ny lov om en aktiv beskæftigelsesindsats (fra 2026)"
    return {
        "duration": [
            {"scheme": "virksomhedspraktik", "target_groups": ["a_dagpenge"], "max": 4, "unit": "weeks",
             "extended": 8, "condition": "nyuddannet", "valid_from": date(2019, 1, 1), "valid_to": date(2025, 12, 31),
             "law": law_old},
            {"scheme": "virksomhedspraktik", "target_groups": ["a_dagpenge"], "max": 6, "unit": "weeks",
             "extended": 6, "condition": None, "valid_from": date(2026, 1, 1), "valid_to": None, "law": law_new},
        ],
        "igu_age": [],
        "ratio": [
            {"schemes": ["virksomhedspraktik", "loentilskud", "nytteindsats"], "per_first": 5, "first_limit": 50,
             "per_beyond": 10, "minimum": 1, "valid_from": date(2019, 1, 1), "valid_to": date(2025, 12, 31),
             "law": "BEK § 65"},
            {"schemes": ["virksomhedspraktik", "loentilskud"], "per_first": 4, "first_limit": 50,
             "per_beyond": 10, "minimum": 1, "valid_from": date(2026, 1, 1), "valid_to": None, "law": "BEK 2026"},
        ],
    }


def test_the_rule_in_force_on_the_start_date_applies():
    book = Rulebook(_changed_law())
    five_weeks = {"scheme": "virksomhedspraktik", "target_group": "a_dagpenge", "sector": "privat"}
    old = book.check_duration(**five_weeks, starts_on=date(2025, 12, 1), ends_on=date(2026, 1, 4))
    assert old is not None and old.law == "LAB § 61 (til 2025)" and old.figures["max"] == 4
    assert book.check_duration(**five_weeks, starts_on=date(2026, 1, 5), ends_on=date(2026, 2, 8)) is None
    new = book.check_duration(**five_weeks, starts_on=date(2026, 1, 5), ends_on=date(2026, 2, 22))
    assert new is not None and new.law.startswith("Ny lov") and new.figures["max"] == 6


def test_a_new_ratio_rule_changes_the_capacity_and_the_schemes_from_its_valid_from():
    book = Rulebook(_changed_law())
    assert book.check_ratio("virksomhedspraktik", 8, 1, date(2025, 6, 1)) is not None  # 8 // 5 = 1
    assert book.check_ratio("virksomhedspraktik", 8, 1, date(2026, 6, 1)) is None  # 8 // 4 = 2
    assert book.ratio_schemes(date(2025, 6, 1)) == ["virksomhedspraktik", "loentilskud", "nytteindsats"]
    assert book.ratio_schemes(date(2026, 6, 1)) == ["virksomhedspraktik", "loentilskud"]
    assert book.check_ratio("nytteindsats", 1, 5, date(2026, 6, 1)) is None


def test_without_a_rule_in_force_nothing_is_checked():
    book = Rulebook(_changed_law())
    # No IGU age rule in this book: the age is not checked at all.
    assert book.check_igu(1950, date(2026, 1, 1)) is None
    assert book.check_duration("virksomhedspraktik", "a_dagpenge", "privat", date(2018, 6, 1), None) is None


def test_the_shipped_rules_file_has_no_overlapping_rules_for_the_same_case(book):
    # Two rules in force for the same scheme and target group on one day would make the result
    # depend on file order; a new rule must close the old one with valid_to.
    for entries in (book.data["igu_age"], book.data["ratio"], book.data["igu_last_start"]):
        spans = sorted((e["valid_from"], e["valid_to"] or date.max) for e in entries)
        for (_, end), (start, _) in zip(spans, spans[1:]):
            assert end < start
