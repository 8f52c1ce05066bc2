"""Paired significance tests over the shared test samples, like the star in Table 2 of PatchRec (SIGIR 2025).

Each method's per-sample NDCG@20 is compared with TALLRec's and with the best classic model's
(by mean NDCG@20) by a two-sided paired t-test. A p-value below ``ALPHA`` earns the mark.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from bench.metrics import ndcg_at

ALPHA = 0.05
METRIC = "NDCG@20"
TALLREC = "TALLRec"


def paired_p_value(ranks_a: list[int], ranks_b: list[int]) -> float:
    """Return the two-sided paired t-test p-value of per-sample NDCG@20; 1.0 if never different."""
    gains_a = ndcg_at(np.asarray(ranks_a), 20)
    gains_b = ndcg_at(np.asarray(ranks_b), 20)
    if np.allclose(gains_a, gains_b):
        return 1.0
    return float(stats.ttest_rel(gains_a, gains_b).pvalue)


def annotate_significance(records: list) -> None:
    """Fill each record's ``significance`` with p-values against TALLRec and the best classic model."""
    by_name = {record.model: record for record in records}
    classic = [record for record in records if record.family == "classic"]
    best_classic = max(classic, key=lambda record: record.metrics[METRIC]).model if classic else None

    for record in records:
        result = {"test": f"paired t-test on per-sample {METRIC}, two-sided", "alpha": ALPHA}
        for label, other in (("vs_tallrec", TALLREC), ("vs_best_classic", best_classic)):
            if other is None or other not in by_name or other == record.model:
                continue
            p_value = paired_p_value(record.ranks, by_name[other].ranks)
            result[label] = {"model": other, "p_value": p_value, "significant": p_value < ALPHA}
        record.significance = result
