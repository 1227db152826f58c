"""A time in detention in words, never more than it is: "more than a month" only past the longest
month (31 days), "more than a year" only past a leap year (366 days). Each boundary below is the
last day a phrase would be false and the first day it is true, counted by hand."""
import pytest

from advocacy.letters.phrasing import duration_words, number_words

CASES = [
    # days, English, Spanish
    (1, "1 day", "1 día"),
    (6, "6 days", "6 días"),
    (7, "7 days", "7 días"),                                   # a week exactly is not "more than a week"
    (8, "more than a week", "más de una semana"),
    (14, "more than a week", "más de una semana"),
    (15, "more than two weeks", "más de dos semanas"),
    (21, "more than two weeks", "más de dos semanas"),
    (22, "more than three weeks", "más de tres semanas"),
    (31, "more than three weeks", "más de tres semanas"),      # 31 days is not more than every month
    (32, "more than a month", "más de un mes"),
    (35, "more than a month", "más de un mes"),                # the seed: "detained for more than a month"
    (42, "more than a month", "más de un mes"),
    (43, "more than six weeks", "más de seis semanas"),
    (62, "more than six weeks", "más de seis semanas"),
    (63, "more than two months", "más de dos meses"),
    (93, "more than two months", "más de dos meses"),
    (94, "more than three months", "más de tres meses"),
    (366, "more than eleven months", "más de once meses"),
    (367, "more than a year", "más de un año"),
    (732, "more than a year", "más de un año"),
    (733, "more than two years", "más de dos años"),
    (2829, "more than seven years", "más de siete años"),      # the old demo's "2829 days"
]


@pytest.mark.parametrize(("days", "english", "spanish"), CASES)
def test_a_time_in_detention_in_words(days: int, english: str, spanish: str) -> None:
    assert duration_words(days, "en") == english
    assert duration_words(days, "es") == spanish


def test_numbers_up_to_twelve_in_words_and_larger_in_figures() -> None:
    assert [number_words(n, "en") for n in (2, 12, 13, 1500)] == ["two", "twelve", "13", "1,500"]
    assert [number_words(n, "es") for n in (2, 12, 13, 1500)] == ["dos", "doce", "13", "1.500"]
