"""The ``retrograd`` command. ``retrograd train`` runs the course's experiment.

With no options it is the course's Keras logistic regression on MNIST (section 5):
784 inputs → Dense(10) → softmax, 7,850 parameters, SGD with learning rate 0.1,
mini-batches of 128, 20 epochs. It prints the summary, Keras's progress bar and
the test loss/accuracy as the course prints them, then saves the model and a
learning-curve PNG in ``--out``. When MNIST is neither on the machine nor
downloadable it says so in one line and trains on scikit-learn's bundled digits.

    retrograd train
    retrograd train --dataset fashion_mnist --model mlp --hidden 512,512 --optimizer adam --lr 1e-3
    retrograd train --device cuda                 # on a GPU, through CuPy (docs/gpu.md)
    mpirun -n 4 retrograd train --distributed     # data-parallel over 4 MPI processes
"""
import argparse
import os
import sys

DATASETS = ("mnist", "fashion_mnist", "digits")
MODELS = ("logreg", "mlp")
OPTIMIZERS = ("sgd", "adam", "rmsprop", "adagrad")


def _hidden(text):
    try:
        sizes = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--hidden must be comma-separated sizes, e.g. "
                                         f"512,512; got {text!r}") from None
    if not sizes or any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(f"--hidden needs positive sizes, got {text!r}")
    return sizes


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
    parser = argparse.ArgumentParser(prog="retrograd", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command")
    # Listed for --help only: main() hands `course …` to the course's own parser.
    sub.add_parser("course", help="the course's experiments: `retrograd course list`, "
                                  "`retrograd course NAME`, `retrograd course all --out DIR`",
                   add_help=False)
    t = sub.add_parser("train", help="train a model (default: the course's MNIST logistic "
                                     "regression)",
                       description="Train a Keras model with retrograd. Defaults: the "
                                   "course's logistic regression on MNIST.")
    t.add_argument("--dataset", choices=DATASETS, default="mnist")
    t.add_argument("--data-dir", default=None,
                   help="directory holding the four IDX files (default: $RETROGRAD_DATA/"
                        "<dataset>, then ~/.cache/retrograd/<dataset>, then a download)")
    t.add_argument("--no-download", action="store_true",
                   help="never download; fall back to digits when the files are missing")
    t.add_argument("--model", choices=MODELS, default="logreg")
    t.add_argument("--hidden", type=_hidden, default=[512, 512],
                   help="hidden layer sizes of --model mlp (default 512,512)")
    t.add_argument("--activation", default="relu",
                   help="hidden activation of --model mlp, a Keras name (default relu)")
    t.add_argument("--optimizer", choices=OPTIMIZERS, default="sgd")
    t.add_argument("--lr", type=_positive(float), default=None,
                   help="learning rate (default 0.1 for sgd, Keras's default otherwise)")
    t.add_argument("--epochs", type=_positive(int), default=20)
    t.add_argument("--batch-size", type=_positive(int), default=128)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--verbose", type=int, choices=(0, 1, 2), default=1)
    t.add_argument("--distributed", action="store_true",
                   help="data-parallel training over the MPI ranks: run under "
                        "`mpirun -n N retrograd train --distributed`; --batch-size is the "
                        "global batch; only rank 0 prints and writes (docs/distributed.md)")
    t.add_argument("--device", choices=("cpu", "cuda", "gpu"), default="cpu",
                   help="where to train: the CPU, or a GPU through CuPy (cuda and gpu are "
                        "the same; docs/gpu.md)")
    t.add_argument("--out", default=os.path.join("runs", "train"),
                   help="output directory for the model and the learning curve "
                        "(default runs/train)")
    return parser


def load_dataset(name, data_dir=None, download=True, fallback=True):
    """((x_train, y_train), (x_test, y_test), name actually used), inputs scaled to
    [0, 1] and flattened. MNIST missing → one line on stderr, then digits (with
    ``fallback=False``, the error instead)."""
    from . import datasets
    if name in ("mnist", "fashion_mnist"):
        loader = getattr(datasets, name)
        try:
            (x, y), (xt, yt) = loader.load_data(data_dir=data_dir, download=download)
            scale = 255.0
        except (datasets.DatasetNotFoundError, datasets.CorruptFileError) as e:
            if not fallback:
                raise
            print(f"retrograd: {name} unavailable ({_one_line(e)}); training on scikit-learn's "
                  "digits instead", file=sys.stderr)
            name = "digits"
    if name == "digits":
        (x, y), (xt, yt) = datasets.digits()
        scale = 16.0
    x = x.reshape(len(x), -1) / scale
    xt = xt.reshape(len(xt), -1) / scale
    return (x, y), (xt, yt), name


def _one_line(e):
    return " ".join(str(e).split())


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
        print("retrograd: matplotlib is not installed, skipping the learning-curve PNG "
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
    from . import keras
    distributed = getattr(args, "distributed", False)
    if distributed:
        from . import distributed as dist
        world = dist.init()
        chief = world.is_chief
    else:
        chief = True
    keras.utils.set_random_seed(args.seed)
    if distributed:
        (x, y), (xt, yt), dataset = _load_on_every_rank(args, world)
    else:
        (x, y), (xt, yt), dataset = load_dataset(args.dataset, args.data_dir,
                                                 download=not args.no_download)
    n_classes = int(max(y.max(), yt.max())) + 1
    Y, Yt = keras.utils.to_categorical(y, n_classes), keras.utils.to_categorical(yt, n_classes)
    model = build_model(x.shape[1], n_classes, args.model, args.hidden, args.activation)
    if getattr(args, "device", "cpu") != "cpu":
        model.to("cuda")   # before compile: the optimizer's slots follow the weights
    if chief:       # with --distributed, only rank 0 prints and writes files
        model.summary()
    model.compile(loss="categorical_crossentropy",
                  optimizer=make_optimizer(args.optimizer, args.lr), metrics=["accuracy"])
    callbacks = []
    if chief:
        os.makedirs(args.out, exist_ok=True)
        callbacks.append(keras.callbacks.CSVLogger(os.path.join(args.out, "history.csv")))
    history = model.fit(x, Y, batch_size=args.batch_size, epochs=args.epochs,
                        verbose=args.verbose if chief else 0, callbacks=callbacks,
                        distributed=distributed)
    scores = model.evaluate(xt, Yt, verbose=0)
    if not chief:
        return {"dataset": dataset, "loss": scores[0], "accuracy": scores[1],
                "model": None, "png": None, "history": history.history}
    print("%s TEST: %.2f%%" % (model.metrics_names[0], scores[0] * 100))
    print("%s TEST: %.2f%%" % (model.metrics_names[1], scores[1] * 100))
    model_path = os.path.join(args.out, "model.retrograd")
    model.save(model_path)
    print(f"model saved to {model_path}")
    png = plot_learning_curve(history, os.path.join(args.out, "learning_curve.png"),
                              f"{args.model} on {dataset}")
    if png:
        print(f"learning curve saved to {png}")
    return {"dataset": dataset, "loss": scores[0], "accuracy": scores[1],
            "model": model_path, "png": png, "history": history.history}


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
    from .nn import activations
    try:
        activations.get(args.activation)
    except ValueError as e:
        parser.error(f"--activation: {e}")
    if args.device != "cpu":
        from . import backend
        try:
            backend.module_for("cuda")
        except RuntimeError as e:
            parser.error(f"--device {args.device}: {e}")
    try:
        train(args)
    except KeyboardInterrupt:
        print("\nretrograd: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
