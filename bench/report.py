"""The Markdown report of a bench run (docs/benchmarks.md), from bench/results/summary.json's data."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

TITLES = {
    "bare": "bare endpoint (`GET /health/live`)",
    "catalog_list": "catalog list (`GET /v1/vehicles|properties|tours`)",
    "catalog_detail": "catalog detail (`GET /v1/{kind}/{id}`)",
    "search": "search (`GET /v1/search?q=`)",
    "availability": "availability (`GET /v1/vehicles/{id}/availability`)",
    "booking_create": "booking create (`POST /v1/bookings`)",
    "journey": "mixed journey (list, detail, availability, search, book)",
    "catalog_list_1000": "catalog list at 1,000 open connections",
    "login_burst": "login burst (`POST /v1/auth/login`, bcrypt 12 rounds, 8 connections)",
    "catalog_list_beside_logins": "catalog list while the login burst runs",
}


def _row(name: str, r: dict[str, Any], bare: dict[str, Any] | None) -> str:
    if not r or r.get("available") is False:
        return f"| {TITLES.get(name, name)} | not available (endpoint missing in this build) | | | | | | |"
    lat = r["latency_ms"]
    rps_ratio = p95_ratio = "–"
    if bare and bare.get("rps"):
        rps_ratio = f"{r['rps'] / bare['rps']:.2f}"
        p95_ratio = f"{lat['p95'] / bare['latency_ms']['p95']:.1f}" if bare["latency_ms"]["p95"] else "–"
    statuses = r.get("statuses") or {}
    non2xx = sum(v for k, v in statuses.items() if not str(k).startswith("2"))
    errors = r["error_count"]
    detail = ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())) if statuses else ""
    err = f"{errors}" + (f" ({detail})" if detail and non2xx else "")
    return (
        f"| {TITLES.get(name, name)} | {r['connections']} | {r['rps']:.0f} | {lat['p50']:.1f} | {lat['p95']:.1f} "
        f"| {lat['p99']:.1f} | {err} | {rps_ratio} / {p95_ratio} |"
    )


def _targets(results: dict[str, Any]) -> list[str]:
    lines = []
    bare, listing = results.get("bare"), results.get("catalog_list")
    if listing and listing.get("latency_ms"):
        p95 = listing["latency_ms"]["p95"]
        lines.append(
            f"- catalog list p95 < 50 ms at 100 connections: **{p95:.1f} ms** — {'met' if p95 < 50 else 'MISSED'}"
        )
        ratio = listing["rps"] / bare["rps"]
        lines.append(
            f"- catalog list throughput ≥ half of bare: **{ratio:.2f}** of bare — {'met' if ratio >= 0.5 else 'MISSED'}"
        )
    many = results.get("catalog_list_1000")
    if many and many.get("latency_ms"):
        lines.append(
            f"- no errors at 1,000 open connections: **{many['error_count']} errors** "
            f"({many['errors']}) — {'met' if many['error_count'] == 0 else 'MISSED'}"
        )
    beside = results.get("catalog_list_beside_logins")
    if listing and beside and beside.get("latency_ms"):
        alone, during = listing["latency_ms"]["p95"], beside["latency_ms"]["p95"]
        lines.append(
            f"- catalog p95 while bcrypt runs: **{during:.1f} ms** vs {alone:.1f} ms alone "
            f"(×{during / alone:.2f}) — {'held' if during <= alone * 1.2 else 'ROSE'}"
        )
    return lines


def summarize_profile(path: str, top: int = 15) -> list[str]:
    own: Counter[str] = Counter()
    ours: Counter[str] = Counter()
    total = 0
    for line in Path(path).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        own[frames[-1]] += n
        for frame in set(frames):
            if "phuket/" in frame:
                ours[frame] += n
    if not total:
        return ["(py-spy recorded no samples)"]
    out = ["Self time (leaf frames):", ""]
    out += [f"- {100 * n / total:.1f}% `{frame}`" for frame, n in own.most_common(top)]
    out += ["", "Inclusive time in our code:", ""]
    out += [f"- {100 * n / total:.1f}% `{frame}`" for frame, n in ours.most_common(top)]
    return out


def write_report(path: Path, meta: dict[str, Any], results: dict[str, Any], notes: list[str]) -> None:
    m = meta["machine"]
    bare = results.get("bare")
    lines = [
        "# Benchmarks",
        "",
        "Produced by `make bench` (bench/run.py; scenarios in bench/lua/). The service runs production-style",
        "(`phuket serve --workers 2`, `PHUKET_ENV=production`, INFO access logs, bcrypt 12 rounds, rate limits",
        "off, the bundled catalog seeded) and wrk loads it from a separate process on 127.0.0.1, on the same",
        "machine: the load generator takes CPU from the server, so absolute numbers are pessimistic. Ratios to",
        "the bare endpoint of the same stack are the comparable figures across machines.",
        "",
        f"- machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory']} memory; {m['os']}",
        f"- Python {m['python']}; {m['wrk']}",
        f"- backend: {meta['backend']}; {meta['workers']} workers; catalog {meta.get('catalog', {})}",
        f"- {meta['duration_s']} s per scenario, 2 wrk threads; run {meta['date']}",
        f"- machine load: {meta.get('load', 'n/a')} — other work on the machine skews absolute numbers",
        "",
        "## Targets",
        "",
        *_targets(results),
        "",
        "## Results",
        "",
        "Latencies in ms. Errors: wrk's socket errors and non-2xx/3xx answers (statuses shown when any).",
        "Ratio: throughput ÷ bare throughput / p95 ÷ bare p95.",
        "",
        "| scenario | connections | req/s | p50 | p95 | p99 | errors | ratio to bare |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in TITLES:
        if name in results:
            lines.append(_row(name, results[name], bare if name != "bare" else None))
    lines += [
        "",
        'In booking scenarios, 409/422 are the business saying "already booked" for a random date, not failures.',
        "",
    ]
    soak = results.get("soak")
    if soak:
        flat = soak["rss_growth_pct"] <= 10
        ok = soak["error_rate"] < 0.001
        trace = ", ".join(f"{mib:.0f}" for _, mib in soak["rss_mib"][:: max(1, len(soak["rss_mib"]) // 12)])
        lines += [
            "## Soak: the mixed journey at 1,000 connections",
            "",
            f"{soak['seconds']} s, {soak['requests']} requests ({soak['rps']:.0f} req/s), p95 "
            f"{soak['latency_ms']['p95']:.0f} ms, statuses {soak.get('statuses', {})}.",
            "",
            f"- error rate (socket errors, timeouts, 5xx): **{soak['error_rate'] * 100:.3f}%** "
            f"({soak['failed']} of {soak['requests']}) — target < 0.1%: {'met' if ok else 'MISSED'}",
            f"- memory of the {soak['workers']} workers (RSS, MiB): second quarter {soak['rss_second_quarter_mib']}, "
            f"last quarter {soak['rss_last_quarter_mib']} ({soak['rss_growth_pct']:+.1f}%) — flat (≤ +10%): "
            f"{'yes' if flat else 'NO'}",
            f"- RSS over the run (MiB, every few seconds): {trace}",
            "",
        ]
    if notes:
        lines += [
            "## Profile of what missed a target",
            "",
            "py-spy (`--gil`: where the worker spends its CPU) on one worker during a catalog-list run:",
            "",
        ]
        for note in notes:
            lines += Path(note).read_text().rstrip().splitlines()
        lines.append("")
    analysis = Path(__file__).resolve().parent / "analysis.md"
    if analysis.exists():  # the findings, kept by hand beside the numbers they explain
        lines += [analysis.read_text().rstrip(), ""]
    path.write_text("\n".join(lines) + "\n")
