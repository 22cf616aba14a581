"""Print the benchmark instances' LP sizes (rows, columns, nonzeros) without solving.

    PYTHONPATH=src python benchmarks/bench_instances.py [small medium large x2 ...]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import load_instance, print_table


def size(name: str, seed: int = 0) -> dict:
    from dcplan.model.build import build_model
    from dcplan.model.sets import build_sets
    from dcplan.solve.highs import compile_lp

    scn = load_instance(name, seed)
    lp = compile_lp(build_model(scn, build_sets(scn)))
    return {"instance": name, "sites": len(scn.tables["sites"]), "regions": len(scn.tables["regions"]),
            "years": len(scn.years), "slices": len(scn.slices),
            "rows": len(lp.rows), "columns": len(lp.columns), "nonzeros": int(lp.A.nnz)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("instances", nargs="*", default=["small", "medium"])
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print_table([size(n, args.seed) for n in args.instances])


if __name__ == "__main__":
    main()
