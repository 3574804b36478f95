"""The copilot's retrieval: recall@5 and query time with BM25 alone (the baseline), with
embeddings alone and with both fused, on the demo documents and the labelled questions
of tests/unit/copilot/retrieval_questions.yaml.

    python benchmarks/bench_retrieval.py            # needs the `semantic` extra

Recall@5: a question counts as found when any passage labelled for it is among the top
five. Query time: each question searched `--repeat` times after one warm-up, median and
95th percentile per search; the ratios are against BM25 in the same run. Results go to
benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from benchmarks.results_file import write_section  # noqa: E402

from crossdock.adapters.embeddings import MiniLMEmbedder  # noqa: E402
from crossdock.copilot.chunking import passages_of  # noqa: E402
from crossdock.copilot.documents import read_document  # noqa: E402
from crossdock.copilot.model import Passage  # noqa: E402
from crossdock.copilot.retrieval import Retriever  # noqa: E402
from crossdock.demo import DEMO_DOCUMENTS  # noqa: E402

QUESTIONS = ROOT / "tests" / "unit" / "copilot" / "retrieval_questions.yaml"
TOP = 5


def _passages() -> list[Passage]:
    found: list[Passage] = []
    for path in sorted(DEMO_DOCUMENTS.iterdir()):
        if path.suffix in {".md", ".html"}:
            document = read_document(path.name, path.read_bytes())
            found += passages_of(document, version=1, source=path.name)
    return found


def _questions() -> list[dict]:
    return list(yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))["questions"])


def _found(question: dict, passages: list[Passage]) -> bool:
    answers = [(a["document"], a["heading"].lower()) for a in question["answers"]]
    return any(
        p.document_key == key and part in p.heading.lower()
        for p in passages
        for key, part in answers
    )


def _measure(
    name: str, search: Callable[[str], list[Passage]], questions: list[dict], repeat: int
) -> dict[str, float | str]:
    hits = sum(_found(q, search(q["question"])) for q in questions)
    times: list[float] = []
    for question in questions:
        for _ in range(repeat):
            start = time.perf_counter()
            search(question["question"])
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "ranking": name,
        "recall": hits / len(questions),
        "p50_ms": statistics.median(times),
        "p95_ms": times[int(0.95 * (len(times) - 1))],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="searches per question")
    args = parser.parse_args()
    passages, questions = _passages(), _questions()
    started = time.perf_counter()
    embedder = MiniLMEmbedder()
    embedder.encode(["warm up"])
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    bm25 = Retriever(passages)
    bm25_build_s = time.perf_counter() - started
    started = time.perf_counter()
    hybrid = Retriever(passages, embedder=embedder)
    hybrid_build_s = time.perf_counter() - started

    def dense(query: str) -> list[Passage]:
        hits = hybrid.search(query, k=len(passages))
        ranked = sorted((h for h in hits if h.dense_rank is not None), key=lambda h: h.dense_rank)
        return [h.passage for h in ranked[:TOP]]

    rows = [
        _measure("BM25 (baseline)", lambda q: [h.passage for h in bm25.search(q, k=TOP)],
                 questions, args.repeat),
        _measure("embeddings only", dense, questions, args.repeat),
        _measure("BM25 + embeddings (RRF)", lambda q: [h.passage for h in hybrid.search(q, k=TOP)],
                 questions, args.repeat),
    ]  # fmt: skip
    base = rows[0]
    summary = (
        f"{len(questions)} labelled questions over {len(passages)} passages of the "
        f"{len({p.document_key for p in passages})} demo documents; model load "
        f"{load_s:.1f} s, index build {bm25_build_s * 1000:.0f} ms (BM25) and "
        f"{hybrid_build_s:.2f} s (with embeddings: every passage encoded once)."
    )
    lines = [
        summary,
        "",
        "| ranking | recall@5 | vs BM25 | search p50 ms | p95 ms | p50 vs BM25 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {row['ranking']} | {row['recall']:.3f} | "
        f"{float(row['recall']) / float(base['recall']):.2f}x | {row['p50_ms']:.1f} | "
        f"{row['p95_ms']:.1f} | {float(row['p50_ms']) / float(base['p50_ms']):.1f}x |"
        for row in rows
    ]
    body = "\n".join(lines)
    print(body)
    write_section("bench_retrieval", body, heading="Copilot retrieval")


if __name__ == "__main__":
    main()
