"""Facts phrased as people write them in a letter: a time in detention as words ("more than a month",
"más de seis semanas"), never a bare count of days where a sentence wants a span.

The rule is to say only what is true: "more than a month" is said once the time exceeds the longest
month (31 days), "more than N months" once it exceeds N longest months, "more than a year" once it
exceeds a leap year (366 days); under a week the days are counted exactly. A letter to an official
must never round up.
"""
WORDS = {
    "en": ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
           "twelve"],
    "es": ["cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez", "once",
           "doce"],
}
WEEK, MONTH, YEAR = 7, 31, 366

PHRASES = {
    "en": {
        "day": "{n} day", "days": "{n} days",
        "week": "more than a week", "weeks": "more than {n} weeks",
        "month": "more than a month", "six_weeks": "more than six weeks", "months": "more than {n} months",
        "year": "more than a year", "years": "more than {n} years",
    },
    "es": {
        "day": "{n} día", "days": "{n} días",
        "week": "más de una semana", "weeks": "más de {n} semanas",
        "month": "más de un mes", "six_weeks": "más de seis semanas", "months": "más de {n} meses",
        "year": "más de un año", "years": "más de {n} años",
    },
}


def number_words(n: int, language: str) -> str:
    """Two to twelve in words, as style guides write them in prose; larger numbers in figures."""
    words = WORDS.get(language, WORDS["en"])
    return words[n] if 0 <= n < len(words) else f"{n:,}" if language == "en" else f"{n:,}".replace(",", ".")


def duration_words(days: int, language: str) -> str:
    """A time in detention, in words, never more than it is."""
    p = PHRASES.get(language, PHRASES["en"])
    if days <= WEEK:
        return p["day" if days == 1 else "days"].format(n=days)
    if days <= 3 * WEEK:
        weeks = (days - 1) // WEEK
        return p["week"] if weeks == 1 else p["weeks"].format(n=number_words(weeks, language))
    if days <= MONTH:
        return p["weeks"].format(n=number_words(3, language))
    if days <= 6 * WEEK:
        return p["month"]
    if days <= 2 * MONTH:
        return p["six_weeks"]
    if days <= YEAR:
        return p["months"].format(n=number_words(min((days - 1) // MONTH, 11), language))
    years = (days - 1) // YEAR
    return p["year"] if years == 1 else p["years"].format(n=number_words(years, language))
