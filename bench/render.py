"""Letter renders per second: the demo seed action's letter (29 families' live facts, the
supporter's details, the decision maker) as text, as printable HTML, and with its CWC XML.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_advocacy .venv/bin/python bench/render.py

Needs the demo loaded (bench/run_advocacy.sh does it). Supporters are created in bulk for the run
and deleted after it; the facts are read once, then reused while the records do not change, as in
a worker (their cost after a change is reported apart).
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ["DEBUG"] = "false"  # as in production: DEBUG keeps every query in memory

import django  # noqa: E402

django.setup()

from django.db.models import Q  # noqa: E402

from demo.campaigns import SEED_SLUG  # noqa: E402
from advocacy.letters import render as r  # noqa: E402
from advocacy.models import Action, DecisionMaker, Letter, Submission  # noqa: E402
from advocacy.services.batches import letters_html  # noqa: E402
from advocacy.services.delivery import render_letter  # noqa: E402
from cases.facts import advocacy_facts, facts_fingerprint  # noqa: E402


def stats(name: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]  # noqa: E731
    return (f"| {name} | {len(ms)} | {statistics.mean(ms):.3f} | {p(0.5):.3f} | {p(0.95):.3f} | {p(0.99):.3f} "
            f"| {1000 / statistics.mean(ms):,.0f} |")


def timed(fn, items) -> list[float]:  # noqa: ANN001
    out = []
    for item in items:
        t = time.perf_counter()
        fn(item)
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--letters", type=int, default=2000)
    args = parser.parse_args()
    action = Action.objects.select_related("organization").get(slug=SEED_SLUG)
    dms = list(DecisionMaker.objects.filter(Q(kind="us_senator") | Q(kind="us_representative", district=25),
                                            state="CA", active=True))
    subs = Submission.objects.bulk_create([
        Submission(action=action, email=f"render-{i}@example.org", email_key=f"render-{i}@example.org", prefix="Ms.",
                   first_name=f"Render{i}", last_name="Bench", street="12 Orange Ave", city="Calexico", state="CA",
                   zip_code="92231", note="I live ten minutes from the port." if i % 2 else "",
                   referral_code=f"rb{i:06d}")
        for i in range(args.letters)
    ])
    letters = Letter.objects.bulk_create([
        Letter(action=action, submission=s, decision_maker=dms[i % len(dms)], channel="print") for i, s in enumerate(subs)
    ])
    letters = list(Letter.objects.filter(pk__in=[x.pk for x in letters]).select_related(
        "action__organization", "submission", "decision_maker"))
    try:
        facts = r.facts_for(action)

        def text(lt: Letter) -> r.Rendered:
            return r.render(action=action, facts=facts, supporter=r.Supporter.of(lt.submission, editing="note"),
                            decision_maker=lt.decision_maker, language="en")

        def text_and_html(lt: Letter) -> str:
            rendered = text(lt)
            lt.subject, lt.body = rendered.subject, rendered.body
            return letters_html([lt], lt.decision_maker, action)

        rows = [stats("letter text (merge template, live facts reused)", timed(text, letters)),
                stats("letter text + its printable HTML page", timed(text_and_html, letters))]
        congress = [lt for lt in letters if lt.decision_maker.cwc_office_code]
        rows.append(stats("letter text + CWC XML (built and validated)", timed(render_letter, congress)))
        ids = list(action.action_cases.values_list("case_id", flat=True))
        rows.append(stats("facts fingerprint (one query, every letter)", timed(
            lambda _: facts_fingerprint(case_ids=ids), range(500))))
        rows.append(stats("facts recomputed after a record changed (29 families)", timed(
            lambda _: advocacy_facts(case_ids=ids), range(200))))
        print(f"Letters: {len(letters)}; template: the demo seed action ({len(ids)} families).")
        print("| what | n | mean ms | p50 ms | p95 ms | p99 ms | per second (1 core) |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        print("\n".join(rows))
    finally:
        Submission.objects.filter(pk__in=[s.pk for s in subs]).delete()


if __name__ == "__main__":
    main()
