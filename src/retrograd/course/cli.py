"""``retrograd course``: run the course's experiments from the command line.

    retrograd course list                      # the experiments, in the course's order
    retrograd course xor init --out figs       # some experiments: numbers + figures
    retrograd course all --out docs/course     # all of them, and the report index.md

Each claim is printed with its verdict — [ok] it holds, [partial] the course's
statement is reproduced only qualitatively (e.g. the slide's ×6 measured ×1.9),
[FAILS] — and the tolerance it was judged with; the last line counts the
verdicts. Without MNIST (not in --data DIR, $RETROGRAD_DATA/mnist, the cache,
and no download possible) the four MNIST experiments are skipped, one line each,
and the others run.

exit status:
  0  every experiment ran, and every claim holds or holds partially
  1  a claim fails, or an experiment stopped on an error
  2  bad arguments
  3  nothing failed, but experiments were skipped (MNIST not found)
"""
import argparse
import sys

DEFAULT_OUT = "retrograd-course"

# --help ends with the docstring's exit statuses (none under python -OO, which drops it).
EXIT_STATUS = __doc__[__doc__.index("exit status:"):].rstrip() if __doc__ else None


def build_parser():
    p = argparse.ArgumentParser(
        prog="retrograd course",
        description="Reproduce the course's experiments: each prints the slide's claims "
                    "with the measured values, the tolerance and the verdict (holds, partial, "
                    "fails), and writes its figure(s).",
        epilog=EXIT_STATUS, formatter_class=argparse.RawDescriptionHelpFormatter)
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
                        "search order: $RETROGRAD_DATA/mnist, the cache, a download); "
                        "without MNIST its experiments are skipped")
    return p


def main(argv=None):
    from . import EXPERIMENTS, exit_status, get, mnist_missing, needs_mnist, run_safely, summary
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
    # Looked for once: without MNIST its experiments are skipped, not each retried.
    missing = mnist_missing(args.data) if any(needs_mnist(n) for n in names) else None
    results = []
    for name in names:
        r = run_safely(name, out=out, quick=args.quick, seed=args.seed, data_dir=args.data,
                       missing=missing)
        results.append(r)
        print(r.text())
        print(f"  ({r.seconds:.1f} s)\n" if r.ran or r.error else "", flush=True)
    if everything:
        from .report import write_report
        print(f"report: {write_report(results, out, seed=args.seed, quick=args.quick)}")
    if missing:
        print(f"MNIST: {missing}")
    print(summary(results))
    return exit_status(results)
