"""Markdown tables from a results JSON (what benchmarks/README.md shows).

.venv/bin/python benchmarks/report.py benchmarks/results/bench-YYYYmmdd-HHMMSS.json
"""

from __future__ import annotations

import json
import sys
from typing import Any

__all__ = ["markdown"]


def _verdict(verdict: dict[str, Any]) -> str:
    if verdict["met"]:
        return "met"
    if not verdict["rps_met"]:
        return f"**missed**, {verdict['shortfall_pct']:.0f}% short"
    return "**missed** (p99 worse)"


def markdown(record: dict[str, Any]) -> str:
    """Per section: a table of medians (with every round) and a table of ratios."""
    lines = [
        f"Run {record['date']}: `{record['command']}` "
        f"(load average at start {', '.join(f'{x:.2f}' for x in record['environment']['load_average'])})"
    ]
    for section in record["sections"]:
        lines += [
            "",
            f"**{section['title']}**",
            "",
            "| scenario | server | req/s (median) | p99 ms (median) | req/s per round |",
            "|---|---|---:|---:|---|",
        ]
        for name, scenario in section["scenarios"].items():
            for figure in scenario["servers"].values():
                rounds = ", ".join(f"{rps:,.0f}" for rps in figure["rps_rounds"])
                errors = f" ({figure['errors']} errors)" if figure["errors"] else ""
                lines.append(
                    f"| {name} | {figure['label']} | {figure['rps_median']:,.0f} | "
                    f"{figure['p99_ms_median']:.1f} | {rounds}{errors} |"
                )
        lines += ["", "| scenario | ratio (req/s) | measured | target | verdict |", "|---|---|---:|---:|---|"]
        for name, scenario in section["scenarios"].items():
            servers = scenario["servers"]
            for verdict in scenario["targets"]:
                p99 = {None: "", True: ", p99 no worse", False: ", p99 worse"}[verdict["p99_no_worse"]]
                lines.append(
                    f"| {name} | {servers[verdict['numerator']]['label']} / "
                    f"{servers[verdict['denominator']]['label']} | {verdict['ratio']:.2f}x{p99} | "
                    f"≥ {verdict['required']:g}x | {_verdict(verdict)} |"
                )
            for ratio in scenario["ratios"]:
                lines.append(
                    f"| {name} | {servers[ratio['numerator']]['label']} / "
                    f"{servers[ratio['denominator']]['label']} | {ratio['ratio']:.2f}x | (info) | |"
                )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: report.py RESULTS.json")
    with open(sys.argv[1]) as handle:
        print(markdown(json.load(handle)), end="")
