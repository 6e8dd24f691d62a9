"""The ``retrograd`` command. ``retrograd train`` runs the course's experiment.

With no options it is the course's Keras logistic regression on MNIST (section 5):
784 inputs → Dense(10) → softmax, 7,850 parameters, SGD with learning rate 0.1,
mini-batches of 128, 20 epochs. It prints the summary, Keras's progress bar and
the test loss/accuracy as the course prints them, then saves the model, the history
and a learning-curve PNG in ``--out``. When MNIST is neither on the machine nor
downloadable it says so in two lines and trains on scikit-learn's bundled digits.

    retrograd train
    retrograd train --dataset fashion_mnist --model mlp --hidden 512,512 --optimizer adam --lr 1e-3
    retrograd train --device cuda                 # on a GPU, through CuPy (docs/gpu.md)
    mpirun -n 4 retrograd train --distributed     # data-parallel over 4 MPI processes

Errors are one line, ``retrograd train: error: …``, never a traceback; the exit
status says which kind (``EXIT_STATUS``). A run's three files appear in ``--out``
together or not at all (``run_folder.RunFolder``).
"""
import argparse
import os
import sys

from .run_folder import RUN_FILES, RunFolder, UnusableOut

DATASETS = ("mnist", "fashion_mnist", "digits")
MODELS = ("logreg", "mlp")
OPTIMIZERS = ("sgd", "adam", "rmsprop", "adagrad")

EXIT_STATUS = ("exit status: 0 the run is complete; 1 a dataset file is corrupt (the "
               "message says how to restore it); 2 a bad option or path, or --distributed "
               "without mpi4py (nothing is written); 130 interrupted by Ctrl-C (--out is "
               "left as it was).")


class UsageError(Exception):
    """A bad option or path found after parsing (an unwritable --out, a --data-dir
    without the dataset): reported as argparse reports its own errors, exit 2."""


def _hidden(text):
    try:
        sizes = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--hidden must be comma-separated sizes, e.g. "
                                         f"512,512; got {text!r}") from None
    if not sizes or any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(f"--hidden needs positive sizes, got {text!r}")
    return sizes


def _activation(name):
    from .nn import activations
    try:
        activations.get(name)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return name


def _positive(kind):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a {kind.__name__}, got {text!r}") \
                from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"expected a value > 0, got {text!r}")
        return value
    return parse


def build_parser():
    # The help texts are plain text (no reST backticks): argparse prints them as they are.
    parser = argparse.ArgumentParser(
        prog="retrograd", description="retrograd: a readable deep-learning framework on "
        "NumPy. 'retrograd train' runs the course's Keras experiment.",
        epilog="Run 'retrograd train --help' for the options of train.")
    sub = parser.add_subparsers(dest="command")
    # Listed for --help only: main() hands `course …` to the course's own parser.
    sub.add_parser("course", help="the course's experiments: 'retrograd course list', "
                                  "'retrograd course NAME', 'retrograd course all --out DIR'",
                   add_help=False)
    t = sub.add_parser(
        "train", usage="%(prog)s [options]",
        help="train a model (default: the course's MNIST logistic regression)",
        description="Train a Keras model with retrograd. With no options: the course's "
        "logistic regression on MNIST (784 inputs, Dense(10), softmax; SGD with learning "
        "rate 0.1, batches of 128, 20 epochs). It prints the model's summary, the progress "
        "and the test loss and accuracy, then writes history.csv, model.retrograd and "
        "learning_curve.png into --out.", epilog=EXIT_STATUS)
    # Errors found after parsing are reported by train's own parser (its usage line and
    # prefix, "retrograd train: error:"), as argparse reports those it finds.
    t.set_defaults(train_parser=t)
    t.add_argument("--dataset", choices=DATASETS, default="mnist",
                   help="mnist (handwritten digits), fashion_mnist (clothes) or digits "
                        "(scikit-learn's 8x8 digits, always available); when mnist or "
                        "fashion_mnist is neither on this machine nor downloadable, the run "
                        "says so and trains on digits; a corrupt file is an error "
                        "(default: %(default)s)")
    t.add_argument("--data-dir", metavar="DIR", default=None,
                   help="directory holding the dataset's four IDX files (.gz or not); then "
                        "nothing else is searched (default: $RETROGRAD_DATA/<dataset>, "
                        "~/.cache/retrograd/<dataset>, Debian's /usr/share/datasets for "
                        "fashion_mnist, then a download into the cache)")
    t.add_argument("--no-download", action="store_true",
                   help="never download: when the files are not on this machine, train on "
                        "digits at once (by default they are downloaded into the cache)")
    t.add_argument("--model", choices=MODELS, default="logreg",
                   help="logreg: the course's logistic regression; mlp: hidden layers of "
                        "--hidden units (default: %(default)s)")
    t.add_argument("--hidden", type=_hidden, default="512,512", metavar="SIZES",
                   help="hidden layer sizes of --model mlp, comma-separated "
                        "(default: %(default)s)")
    t.add_argument("--activation", type=_activation, default="relu", metavar="NAME",
                   help="hidden activation of --model mlp, a Keras name such as relu, tanh "
                        "or sigmoid (default: %(default)s)")
    t.add_argument("--optimizer", choices=OPTIMIZERS, default="sgd",
                   help="the Keras optimizer (default: %(default)s)")
    t.add_argument("--lr", type=_positive(float), default=None,
                   help="learning rate (default: 0.1 for sgd, Keras's default for the "
                        "others)")
    t.add_argument("--epochs", type=_positive(int), default=20,
                   help="passes over the training set (default: %(default)s)")
    t.add_argument("--batch-size", type=_positive(int), default=128,
                   help="examples per gradient step; with --distributed, the global batch "
                        "over all processes (default: %(default)s)")
    t.add_argument("--seed", type=int, default=0,
                   help="seed of the initial weights and of the shuffling "
                        "(default: %(default)s)")
    t.add_argument("--verbose", type=int, choices=(0, 1, 2), default=1,
                   help="0 silent, 1 a progress bar, 2 one line per epoch "
                        "(default: %(default)s)")
    t.add_argument("--distributed", action="store_true",
                   help="data-parallel training over MPI processes, run as 'mpirun -n N "
                        "retrograd train --distributed'; needs mpi4py (pip install "
                        "'retrograd[mpi]'); only rank 0 prints and writes; see "
                        "docs/distributed.md (by default: one process, no MPI)")
    t.add_argument("--device", choices=("cpu", "cuda", "gpu"), default="cpu",
                   help="where to train: the CPU, or a GPU through CuPy (cuda and gpu are "
                        "the same; docs/gpu.md) (default: %(default)s)")
    t.add_argument("--out", metavar="DIR", default=os.path.join("runs", "train"),
                   help="folder for the run's " + ", ".join(RUN_FILES) + " (default: "
                        "%(default)s). They are written into a temporary folder beside DIR "
                        "and moved into DIR together once the run is complete: an "
                        "interrupted or failed run leaves DIR as it was. Other files in DIR "
                        "are left alone; a previous run's learning_curve.png is removed "
                        "when this run makes none.")
    return parser


def load_dataset(name, data_dir=None, download=True, fallback=True):
    """((x_train, y_train), (x_test, y_test), name actually used), inputs scaled to
    [0, 1] and flattened.

    MNIST or Fashion-MNIST missing from the machine (and not downloadable) → a
    two-line notice on stderr, then digits (with ``fallback=False``, the
    ``DatasetNotFoundError`` instead). A corrupt file is never replaced by digits: its
    ``CorruptFileError`` propagates (it must be repaired, and the user asked for this
    dataset). A ``data_dir`` without the files is a ``UsageError``: the user named
    that folder."""
    from . import datasets
    if name in ("mnist", "fashion_mnist"):
        loader = getattr(datasets, name)
        try:
            (x, y), (xt, yt) = loader.load_data(data_dir=data_dir, download=download)
            scale = 255.0
        except datasets.DatasetNotFoundError as e:
            if data_dir is not None:
                raise UsageError(f"--data-dir: {e}") from None
            if not fallback:
                raise
            print(_fallback_notice(e), file=sys.stderr)
            name = "digits"
    if name == "digits":
        (x, y), (xt, yt) = datasets.digits()
        scale = 16.0
    x = x.reshape(len(x), -1) / scale
    xt = xt.reshape(len(xt), -1) / scale
    return (x, y), (xt, yt), name


def _fallback_notice(e):
    """Two short lines: what is missing and what the run does instead, then how to
    provide the files. The details (per-URL errors) stay in the exception."""
    from .datasets.files import cache_label
    name = e.dataset
    why = ("--no-download given" if e.download == "disabled" else "the download failed")
    return (f"retrograd train: {name} is not on this machine and {why}; training on "
            f"scikit-learn's digits instead\n"
            f"  to use it: --data-dir DIR, or its IDX files in $RETROGRAD_DATA/{name} or "
            f"{cache_label(name)}")


def build_model(n_features, n_classes, model="logreg", hidden=(512, 512), activation="relu"):
    """The course's logistic regression (``fc1`` then softmax) or an MLP."""
    from .keras import Sequential
    from .keras.layers import Activation, Dense
    net = Sequential()
    if model == "logreg":
        net.add(Dense(n_classes, input_dim=n_features, name="fc1"))
    else:
        for i, h in enumerate(hidden):
            kw = {"input_dim": n_features} if i == 0 else {}
            net.add(Dense(h, activation=activation, name=f"fc{i + 1}", **kw))
        net.add(Dense(n_classes, name=f"fc{len(hidden) + 1}"))
    net.add(Activation("softmax"))
    return net


def make_optimizer(name, lr):
    from .keras import optimizers
    cls = optimizers.ALL[name]
    if lr is None:
        return cls(learning_rate=0.1) if name == "sgd" else cls()
    return cls(learning_rate=lr)


def plot_learning_curve(history, path, title):
    """Loss and accuracy per epoch into a PNG; None (and a notice) without matplotlib."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("retrograd train: matplotlib is not installed, skipping the learning-curve PNG "
              "(pip install 'retrograd[plot]')", file=sys.stderr)
        return None
    h = history.history
    epochs = [e + 1 for e in history.epoch]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, key in zip(axes, ("loss", "accuracy")):
        for k in (key, "val_" + key):
            if k in h:
                ax.plot(epochs, h[k], marker="o", label=k)
        ax.set_xlabel("epoch")
        ax.set_ylabel(key)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _load_on_every_rank(args, world):
    """Rank 0 loads first (it may download, or fall back to digits and say so); the
    other ranks then load the dataset rank 0 chose, from the files it fetched."""
    from .distributed import broadcast_object
    data = None
    if world.is_chief:
        data = load_dataset(args.dataset, args.data_dir, download=not args.no_download)
    name = broadcast_object(None if data is None else data[2], world=world)
    if not world.is_chief:
        data = load_dataset(name, args.data_dir, download=not args.no_download,
                            fallback=False)
    return data


def train(args):
    """Run ``retrograd train`` with the parsed ``args``; returns the scores and paths.

    Raises ``UsageError`` for an unwritable ``--out`` or a ``--data-dir`` without the
    dataset (before anything is trained), ``CorruptFileError`` for a corrupt dataset
    file, ``KeyboardInterrupt`` on Ctrl-C: in every case ``--out`` is left as it was."""
    world = None
    if args.distributed:
        from . import distributed as dist
        world = dist.init()
    # With --distributed, only rank 0 prints and writes files.
    run = RunFolder(args.out) if world is None or world.is_chief else None
    if run is not None and world is not None and dist.launcher_world_size() is None:
        print("retrograd train: --distributed without an MPI launcher trains in one "
              "process; run it as 'mpirun -n N retrograd train --distributed'",
              file=sys.stderr)
    try:
        return _fit_and_save(args, world, run)
    finally:
        if run is not None:
            run.discard()                     # nothing left to do after a commit


def _fit_and_save(args, world, run):
    """The run itself: ``world`` is None without --distributed, ``run`` None on the
    ranks other than 0."""
    from . import keras
    distributed = world is not None
    keras.utils.set_random_seed(args.seed)
    if distributed:
        (x, y), (xt, yt), dataset = _load_on_every_rank(args, world)
    else:
        (x, y), (xt, yt), dataset = load_dataset(args.dataset, args.data_dir,
                                                 download=not args.no_download)
    n_classes = int(max(y.max(), yt.max())) + 1
    Y, Yt = keras.utils.to_categorical(y, n_classes), keras.utils.to_categorical(yt, n_classes)
    model = build_model(x.shape[1], n_classes, args.model, args.hidden, args.activation)
    if args.device != "cpu":
        model.to("cuda")   # before compile: the optimizer's slots follow the weights
    if run is not None:
        model.summary()
    model.compile(loss="categorical_crossentropy",
                  optimizer=make_optimizer(args.optimizer, args.lr), metrics=["accuracy"])
    callbacks = []
    if run is not None:
        callbacks.append(keras.callbacks.CSVLogger(run.path("history.csv")))
    history = model.fit(x, Y, batch_size=args.batch_size, epochs=args.epochs,
                        verbose=args.verbose if run is not None else 0, callbacks=callbacks,
                        distributed=distributed)
    scores = model.evaluate(xt, Yt, verbose=0)
    if run is None:
        return {"dataset": dataset, "loss": scores[0], "accuracy": scores[1],
                "model": None, "png": None, "history": history.history}
    print("%s TEST: %.2f%%" % (model.metrics_names[0], scores[0] * 100))
    print("%s TEST: %.2f%%" % (model.metrics_names[1], scores[1] * 100))
    model.save(run.path("model.retrograd"))
    png = plot_learning_curve(history, run.path("learning_curve.png"),
                              f"{args.model} on {dataset}")
    run.commit()
    model_path = run.final("model.retrograd")
    print(f"model saved to {model_path}")
    if png:
        png = run.final("learning_curve.png")
        print(f"learning curve saved to {png}")
    return {"dataset": dataset, "loss": scores[0], "accuracy": scores[1],
            "model": model_path, "png": png, "history": history.history}


def _check_prerequisites(args):
    """What must hold before anything is loaded: a usable GPU for --device, mpi4py for
    --distributed, an existing --data-dir. Raises UsageError."""
    if args.device != "cpu":
        from . import backend
        try:
            backend.module_for("cuda")
        except RuntimeError as e:
            raise UsageError(f"--device {args.device}: {e}") from None
    if args.distributed:
        # Without mpi4py, retrograd.distributed would quietly make a one-process world
        # (or, under mpirun, stop with a traceback): say what to install instead.
        # Importing the package does not start MPI (mpi4py.MPI would).
        missing = []
        for module in ("mpi4py", "threadpoolctl"):
            try:
                __import__(module)
            except ImportError as e:
                missing.append(f"{module} ({e})")
        if missing:
            raise UsageError(f"--distributed needs {' and '.join(missing)}: install an MPI "
                             "library, then pip install 'retrograd[mpi]' (or mpi4py "
                             "threadpoolctl)")
    if args.data_dir is not None and not os.path.isdir(args.data_dir):
        raise UsageError(f"--data-dir {args.data_dir}: not a directory (expected one "
                         f"holding the four IDX files of {args.dataset})")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["course"]:  # `retrograd course …`: the course's experiments
        from .course.cli import main as course_main
        return course_main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        # The README's first command is `retrograd train`; bare `retrograd` shows how.
        parser.print_help()
        return 0
    from .datasets import CorruptFileError
    try:
        _check_prerequisites(args)
        train(args)
    except (UsageError, UnusableOut) as e:
        args.train_parser.print_usage(sys.stderr)
        return _failed(args, 2, f"retrograd train: error: {e}")
    except CorruptFileError as e:
        return _failed(args, 1, f"retrograd train: error: {e}")
    except KeyboardInterrupt:
        # End the progress bar's line first when it is on the terminal.
        lead = "\n" if sys.stdout.isatty() else ""
        return _failed(args, 130, f"{lead}retrograd train: interrupted, nothing written "
                                  f"({args.out} is as it was)")
    return 0


def _failed(args, status, message):
    """Report a failed run in one line; returns the exit status.

    Under mpirun, one rank's failure must end every rank: the others would wait for it
    in their next collective. retrograd.distributed aborts the job on an uncaught
    exception; a failure handled here is not one, so the job is aborted here (mpirun
    then reports the abort, with this status)."""
    print(message, file=sys.stderr)
    if args.distributed:
        from . import distributed
        if distributed.is_initialized() and distributed.get_world().is_distributed:
            sys.stdout.flush()
            sys.stderr.flush()
            distributed.get_world().comm.Abort(status)
    return status


if __name__ == "__main__":
    sys.exit(main())
