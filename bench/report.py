"""Turns the benchmark figures (JSON lines from every contender) into a Markdown table with ratios
and a PNG chart of throughput by message size.

    python bench/report.py RESULTS.jsonl OUT_DIR [--quick]

Writes OUT_DIR/report.md and OUT_DIR/throughput.png. `cargo xtask bench` runs it.
"""

import json
import sys
from collections import defaultdict
from pathlib import Path

# Each uniws contender and the references its figures are divided by (measured in the same run).
REFERENCES = {
    "uniws-rust": ["tokio-tungstenite"],
    "uniws-rust@current-thread": ["tokio-tungstenite@current-thread"],
    "uniws-kotlin": ["ktor-cio", "okhttp"],
    "uniws-swift": ["uniws-rust"],
}
ORDER = [
    "uniws-rust",
    "tokio-tungstenite",
    "uniws-rust@current-thread",
    "tokio-tungstenite@current-thread",
    "uniws-kotlin",
    "ktor-cio",
    "okhttp",
    "uniws-swift",
]
SIZES = [32, 1024, 65536, 1048576]


def size_name(size):
    if size >= 1 << 20:
        return f"{size >> 20} MiB"
    if size >= 1 << 10:
        return f"{size >> 10} KiB"
    return f"{size} B"


def load(path):
    """Rows by (workload, size) and contender. A contender measured in several interleaved rounds
    (bench-rust's `--repeat`) is represented by its median round, by msgs/s or p50."""
    rounds = defaultdict(list)
    for line in Path(path).read_text().splitlines():
        if line.strip():
            row = json.loads(line)
            rounds[(row["workload"], row.get("size"), row["contender"])].append(row)
    figures = defaultdict(dict)
    for (workload, size, contender), rows in rounds.items():
        key = "msgs_per_s" if workload.startswith("throughput") else "p50_us"
        measured = sorted((row for row in rows if key in row), key=lambda row: row[key])
        chosen = measured[(len(measured) - 1) // 2] if measured else rows[0]
        figures[(workload, size)][contender] = dict(chosen, rounds_measured=len(rows))
    return figures


def ordered(contenders):
    return sorted(contenders, key=lambda name: ORDER.index(name) if name in ORDER else len(ORDER))


def ratios(contender, rows, key, higher_is_better):
    """`0.97× ktor-cio` style ratios of `contender` to its references (>1 means uniws is better)."""
    parts = []
    if "error" in rows[contender]:
        return "—"
    for reference in REFERENCES.get(contender, []):
        if reference in rows and rows[reference].get(key) and rows[contender].get(key):
            ours, theirs = rows[contender][key], rows[reference][key]
            ratio = ours / theirs if higher_is_better else theirs / ours
            parts.append(f"{ratio:.2f}× {reference}")
    return ", ".join(parts) or "—"


def throughput_table(figures, workload="throughput"):
    lines = [
        "| Size | Contender | msgs/s | MB/s | Throughput ratio (higher is better) |",
        "|---|---|---:|---:|---|",
    ]
    for size in SIZES:
        rows = figures.get((workload, size), {})
        for contender in ordered(rows):
            row = rows[contender]
            if "error" in row:
                lines.append(f"| {size_name(size)} | {contender} | failed | | {row['error']} |")
                continue
            if workload == "throughput":
                ratio = ratios(contender, rows, "msgs_per_s", True)
            else:
                # Against the same contender's own workload with a nonisolated caller.
                own = figures.get(("throughput", size), {}).get(contender, {}).get("msgs_per_s")
                ratio = f"{row['msgs_per_s'] / own:.2f}× nonisolated" if own else "—"
            lines.append(
                f"| {size_name(size)} | {contender} | {row['msgs_per_s']:,.0f} | "
                f"{row['mb_per_s']:,.1f} | {ratio} |"
            )
    return lines


def latency_table(figures, workloads):
    lines = [
        "| Workload | Contender | p50 µs | p99 µs | p50 speed ratio (reference p50 / ours; higher is better) |",
        "|---|---|---:|---:|---|",
    ]
    for workload, size in workloads:
        rows = figures.get((workload, size), {})
        label = f"{workload} {size_name(size)}" if size else workload
        for contender in ordered(rows):
            row = rows[contender]
            if "error" in row:
                lines.append(f"| {label} | {contender} | failed | | {row['error']} |")
                continue
            lines.append(
                f"| {label} | {contender} | {row['p50_us']:,.1f} | {row['p99_us']:,.1f} | "
                f"{ratios(contender, rows, 'p50_us', False)} |"
            )
    return lines


def memory_table(figures):
    rows = figures.get(("idle_memory", None), {})
    lines = ["| Contender | Sessions | Resident memory per idle session |", "|---|---:|---:|"]
    for contender in ordered(rows):
        row = rows[contender]
        if "error" in row:
            lines.append(f"| {contender} | failed | {row['error']} |")
            continue
        lines.append(
            f"| {contender} | {row['sessions']:,} | {row['bytes_per_session'] / 1024:,.1f} KiB |"
        )
    return lines


def chart(figures, path, quick):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # The current-thread Rust figures are in the table; the chart keeps to one runtime per contender.
    contenders = ordered(
        {c for size in SIZES for c in figures.get(("throughput", size), {}) if "@" not in c}
    )
    figure, axes = plt.subplots(1, 2, figsize=(13, 5))
    width = 0.8 / max(len(contenders), 1)
    for metric, axis, title in [
        ("msgs_per_s", axes[0], "Messages per second"),
        ("mb_per_s", axes[1], "MB per second"),
    ]:
        for index, contender in enumerate(contenders):
            values = [
                figures.get(("throughput", size), {}).get(contender, {}).get(metric) or 0
                for size in SIZES
            ]
            positions = [x + (index - (len(contenders) - 1) / 2) * width for x in range(len(SIZES))]
            axis.bar(positions, values, width, label=contender)
        axis.set_xticks(range(len(SIZES)), [size_name(size) for size in SIZES])
        axis.set_yscale("log")
        axis.set_title(title + " (window of 32, echo over 127.0.0.1; log scale)")
        axis.set_xlabel("Message size")
        axis.grid(axis="y", alpha=0.3)
    axes[0].legend()
    suffix = " — quick run, indicative only" if quick else ""
    figure.suptitle("Pipelined echo throughput by message size" + suffix)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main():
    results, out = sys.argv[1], Path(sys.argv[2])
    quick = "--quick" in sys.argv[3:]
    figures = load(results)
    sections = [
        "## Throughput (pipelined, 32 messages in flight)",
        *throughput_table(figures),
        "",
        "## Throughput with the caller on the main actor (Swift; same workload)",
        *throughput_table(figures, "throughput_main_actor"),
        "",
        "## Round-trip latency (one message in flight)",
        *latency_table(figures, [("latency", size) for size in SIZES]),
        "",
        "## Handshake (connect, upgrade, close)",
        *latency_table(figures, [("handshake_ws", None), ("handshake_wss", None)]),
        "",
        "## Idle memory",
        *memory_table(figures),
        "",
    ]
    # Rounds per contender, the handshakes (one per bench process) apart from the workloads.
    repeated = defaultdict(set)
    for (workload, _), rows in figures.items():
        kind = "handshakes" if workload.startswith("handshake") else "workloads"
        for contender, row in rows.items():
            if row["rounds_measured"] > 1:
                repeated[contender].add((kind, row["rounds_measured"]))
    if repeated:
        names = "; ".join(
            f"{contender}: "
            + ", ".join(f"{count} for {kind}" for kind, count in sorted(counts, reverse=True))
            for contender, counts in sorted(repeated.items())
        )
        sections.insert(
            0,
            "_Where a contender was measured in several interleaved rounds, each figure is its "
            f"median round. Rounds per figure: {names}._\n",
        )
    if quick:
        sections.insert(0, "_Quick run (every workload divided by 20): indicative only._\n")
    (out / "report.md").write_text("\n".join(sections))
    chart(figures, out / "throughput.png", quick)


if __name__ == "__main__":
    main()
