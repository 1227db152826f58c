"""Printable PDF batches: pages per second and peak memory, for batches of 250, 500 and 1,000
letters (the demo seed action's letters to Senator Padilla, who is reached by post).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_advocacy .venv/bin/python bench/pdf.py

Each size is built in a process of its own, through the same service the worker runs
(services.batches.batch_build: every letter rendered from the live records, laid out by
WeasyPrint in chunks, the chunks joined), so each process's peak resident memory is that batch's.
Memory is also sampled every 0.1 s during the build.

The anchor, measured in the same run before and after the batches (this machine is shared): one
letter laid out on its own by WeasyPrint, as a one-page PDF, 30 times in a process of its own,
through the same letters_html the batches use. Its pages a second is what a naive build (one
WeasyPrint document per letter) would reach; the batches' figure beside it is the ratio.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(n: int) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DEBUG"] = "false"  # as in production: DEBUG keeps every query in memory
    import django

    django.setup()
    import psutil
    from django.conf import settings

    from demo.campaigns import SEED_SLUG
    from advocacy.models import Action, DecisionMaker, Letter, PdfBatch, Submission
    from advocacy.services.batches import batch_build

    settings.PRIVATE_MEDIA_ROOT = Path("/tmp/bench-private-media")
    action = Action.objects.get(slug=SEED_SLUG)
    padilla = DecisionMaker.objects.get(bioguide_id="P000145")
    tag = f"pdf{n}-{time.time_ns()}"
    subs = Submission.objects.bulk_create([
        Submission(action=action, email=f"{tag}-{i}@example.org", email_key=f"{tag}-{i}@example.org", prefix="Mr.",
                   first_name=f"Supporter{i}", last_name="Bench", street=f"{i} Orange Ave", city="Calexico", state="CA",
                   zip_code="92231", note="I live ten minutes from the port." if i % 3 else "", referral_code=f"{tag}{i}"[-16:])
        for i in range(n)
    ])
    Letter.objects.bulk_create([Letter(action=action, submission=s, decision_maker=padilla, channel="print")
                                for s in subs])
    batch = PdfBatch.objects.create(action=action, decision_maker=padilla)
    process = psutil.Process()
    samples: list[tuple[float, int]] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append((time.perf_counter(), process.memory_info().rss))
            time.sleep(0.1)

    progress: list[tuple[float, int]] = []
    sampler = threading.Thread(target=sample, daemon=True)
    start = time.perf_counter()
    sampler.start()
    built = batch_build(batch.pk, on_progress=lambda d, total: progress.append((time.perf_counter(), d)))
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    first_chunk_at = progress[0][0] if progress else start
    rss_after_first_chunk = max(rss for t, rss in samples if t <= first_chunk_at) if samples else 0
    size = Path(built.file.path).stat().st_size
    import resource

    print(json.dumps({
        "letters": n, "pages": built.pages, "seconds": seconds, "status": built.status, "bytes": size,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_after_first_chunk_mb": rss_after_first_chunk / 2**20,
        "rss_max_sampled_mb": max(rss for _, rss in samples) / 2**20,
    }))
    Path(built.file.path).unlink()
    PdfBatch.objects.filter(pk=batch.pk).delete()
    Submission.objects.filter(pk__in=[s.pk for s in subs]).delete()


def anchor(n: int) -> None:
    """n one-page PDFs, each one letter laid out on its own."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    from weasyprint import HTML

    from advocacy.models import Action, DecisionMaker, Letter, Submission
    from advocacy.services.batches import letters_html, rendered_now
    from demo.campaigns import SEED_SLUG

    action = Action.objects.get(slug=SEED_SLUG)
    padilla = DecisionMaker.objects.get(bioguide_id="P000145")
    tag = f"anchor-{time.time_ns()}"
    sub = Submission.objects.create(action=action, email=f"{tag}@example.org", email_key=f"{tag}@example.org",
                                    prefix="Ms.", first_name="Anchor", last_name="Bench", street="1 Orange Ave",
                                    city="Calexico", state="CA", zip_code="92231", referral_code=tag[-16:])
    letter = Letter.objects.create(action=action, submission=sub, decision_maker=padilla, channel="print")
    letters = rendered_now([letter.pk])
    HTML(string=letters_html(letters, padilla, action)).write_pdf()  # warm-up: fonts, CSS
    pages = 0
    start = time.perf_counter()
    for _ in range(n):
        document = HTML(string=letters_html(letters, padilla, action)).render()
        pages += len(document.pages)
        document.write_pdf()
    seconds = time.perf_counter() - start
    sub.delete()
    print(json.dumps({"documents": n, "pages": pages, "seconds": seconds}))


def run_child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, env=os.environ)
    if out.returncode:
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="250,500,1000")
    parser.add_argument("--anchor-documents", type=int, default=30)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--anchor", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    if args.anchor:
        anchor(args.anchor)
        return
    anchors = [run_child("--anchor", str(args.anchor_documents))]
    load = [os.getloadavg()[0]]
    rows = []
    for n in (int(x) for x in args.sizes.split(",")):
        rows.append(run_child("--child", str(n)))
        load.append(os.getloadavg()[0])
    anchors.append(run_child("--anchor", str(args.anchor_documents)))
    anchor_rate = statistics.median(a["pages"] / a["seconds"] for a in anchors)
    rates = ", ".join(f"{a['pages'] / a['seconds']:.1f}" for a in anchors)
    print(f"Anchor, one letter per WeasyPrint document: {rates} "
          f"pages/s (before, after; median {anchor_rate:.1f}). Load average {min(load):.2f}-{max(load):.2f} on "
          f"{os.cpu_count()} cores.")
    print("| letters | pages | seconds | pages/s | × anchor | PDF MB | RSS after first chunk MB | peak RSS MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        rate = row["pages"] / row["seconds"]
        print(f"| {row['letters']:,} | {row['pages']:,} | {row['seconds']:.1f} | {rate:.1f} | {rate / anchor_rate:.1f} "
              f"| {row['bytes'] / 2**20:.1f} | {row['rss_after_first_chunk_mb']:.0f} | {row['peak_rss_mb']:.0f} |")


if __name__ == "__main__":
    main()
