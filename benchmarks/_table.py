"""A tiny shared table printer for the benchmark scripts (one format for every figure)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Row:
    what: str
    value: str
    baseline: str = "—"
    ratio: str = "—"
    target: str = "—"
    verdict: str = ""


def print_table(title: str, rows: list[Row]) -> None:
    headers = ("what", "measured", "baseline (same run)", "ratio", "target", "")
    cells = [headers] + [(r.what, r.value, r.baseline, r.ratio, r.target, r.verdict) for r in rows]
    widths = [max(len(str(row[i])) for row in cells) for i in range(len(headers))]
    print(f"\n## {title}\n")
    for n, row in enumerate(cells):
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
        if n == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
