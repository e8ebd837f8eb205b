"""In-model DMR against post-hoc effects on planted corpora: the README's comparison table.

    PYTHONPATH=. python -m bench.dmr_compare [N_REPLICATIONS]

Prints the mean of every metric of :func:`toolkit.topics.compare.covariate_recovery`
per method as a Markdown table (same seeds, same numbers).
"""

from __future__ import annotations

import sys

from toolkit.topics.compare import covariate_recovery, summarize_recovery


def main(n_replications: int = 10) -> None:
    table = covariate_recovery(n_replications, random_state=0)
    summary = summarize_recovery(table)
    columns = list(summary.columns)
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in summary.itertuples(index=False):
        cells = [row[0]] + ["n/a (no interval)" if v != v else f"{v:.3f}" for v in row[1:]]
        lines.append("| " + " | ".join(cells) + " |")
    spread = table.groupby(["method", "metric"])["value"].agg(["min", "max"]).round(3)
    print(f"{n_replications} replications (seeds 0..{n_replications - 1})")
    print("\n".join(lines))
    print(spread.to_string())


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
