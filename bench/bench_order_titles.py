"""Order titles read as a consultant would: the demo orders' titles and texts against the ESCO
occupation a consultant files each under (shared/demo_catalogue.py, 76 titles), each text as
crm's demo writes it (the work, then each of its five general lines: 380 orders).

Two readings, one run: the title alone (the title normaliser, as MELO measures it) and the title
read with the order's text (`title_occupations`, what a vacancy gets in production). The figure
is the share of orders whose first occupation is the consultant's. This is our own development
set: the text weights were chosen on it (docs/matching-quality.md, "Ambiguous order titles").

    python bench/bench_order_titles.py [--verbose]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    from services.matching.esco.recognise import get_recogniser
    from services.matching.ranking.features import title_occupations
    from shared.demo_catalogue import DEMO_JOBS

    from services.crm.demo.danish import ORDER_DESCRIPTIONS  # the general lines crm's demo orders add

    rec = get_recogniser()
    cat = rec.catalog
    alone = with_text = 0
    for job in DEMO_JOBS:
        want = cat.occupation_by_uri[job.uri]
        first = rec.normalise_title(job.title, k=1)
        alone += bool(first and first[0].id == want)
        # Each order as crm's demo writes it: the work, then one of the general lines.
        for general in ORDER_DESCRIPTIONS:
            got = title_occupations(job.title, f"{job.duties} {general}", rec)
            with_text += bool(got and got[0][0] == want)
            if "--verbose" in sys.argv:
                print(f"{job.title}: {cat.occupations[got[0][0]].label if got else '-'} (want {job.occupation}) "
                      f"| {general}", file=sys.stderr)
    n = len(DEMO_JOBS)
    print(json.dumps({"figure": "matching.order_title_accuracy_title_alone", "value": round(alone / n, 3),
                      "unit": "share", "target": None}))
    print(json.dumps({"figure": "matching.order_title_accuracy_with_text",
                      "value": round(with_text / (n * len(ORDER_DESCRIPTIONS)), 3),
                      "unit": "share", "target": None, "baseline": round(alone / n, 3)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
