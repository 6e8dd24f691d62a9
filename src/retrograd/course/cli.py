"""``retrograd course``: run the course's experiments from the command line.

    retrograd course list                      # the experiments, in the course's order
    retrograd course xor init --out figs       # some experiments: numbers + figures
    retrograd course all --out docs/course     # all of them, and the report index.md

Exit status: 0 when every claim checked holds, 1 otherwise (or when an
experiment could not run, e.g. without MNIST), 2 for bad arguments.
"""
import argparse
import sys

DEFAULT_OUT = "retrograd-course"


def build_parser():
    p = argparse.ArgumentParser(
        prog="retrograd course",
        description="Reproduce the course's experiments: each prints the slide's claims "
                    "with the measured values and writes its figure(s).")
    p.add_argument("targets", nargs="+", metavar="NAME",
                   help="'list', 'all', or experiment names (see 'retrograd course list')")
    p.add_argument("--out", default=None,
                   help=f"directory for the figures (and index.md with 'all'); default "
                        f"{DEFAULT_OUT}")
    p.add_argument("--quick", action="store_true",
                   help="reduced sizes (seconds each; the tests' sizes)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data", default=None, metavar="DIR",
                   help="directory holding MNIST's IDX files (default: retrograd.datasets' "
                        "search order: $RETROGRAD_DATA/mnist, the cache, a download)")
    return p


def main(argv=None):
    from . import EXPERIMENTS, get, run_safely
    args = build_parser().parse_args(argv)
    targets = args.targets
    if targets == ["list"]:
        width = max(map(len, EXPERIMENTS))
        for i, (name, m) in enumerate(EXPERIMENTS.items(), 1):
            print(f"{i:2d}. {name:{width}s}  {m.TITLE}  [{m.SLIDES}]")
        return 0
    everything = targets == ["all"]
    names = list(EXPERIMENTS) if everything else targets
    for name in names:
        if name in ("all", "list"):
            print(f"retrograd course: '{name}' must be used alone", file=sys.stderr)
            return 2
        try:
            get(name)
        except ValueError as e:
            print(f"retrograd {e}", file=sys.stderr)
            return 2
    out = args.out or DEFAULT_OUT
    results = []
    for name in names:
        r = run_safely(name, out=out, quick=args.quick, seed=args.seed, data_dir=args.data)
        results.append(r)
        print(r.text())
        print(f"  ({r.seconds:.1f} s)\n", flush=True)
    if everything:
        from .report import write_report
        print(f"report: {write_report(results, out, seed=args.seed, quick=args.quick)}")
    failed = [r.name for r in results if not r.ok]
    held = sum(c.holds for r in results for c in r.claims)
    total = sum(len(r.claims) for r in results)
    print(f"{held}/{total} claims hold" + (f"; not ok: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0
