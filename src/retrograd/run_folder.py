"""A run's output folder, written all at once: its files appear in ``--out`` together
or not at all (``retrograd train``)."""
import contextlib
import os
import secrets
import shutil
import signal
import threading
from pathlib import Path

RUN_FILES = ("history.csv", "model.retrograd", "learning_curve.png")


class UnusableOut(ValueError):
    """``--out`` cannot hold a run (a file, a path under a file, not writable)."""


class RunFolder:
    """Where one run writes its files (``RUN_FILES``): a temporary folder beside
    ``--out``, on the same file system, moved into place by ``commit()`` once the run
    is complete and removed by ``discard()`` otherwise.

    So a run's files appear together or not at all: until ``commit`` the previous
    run in ``--out`` stays whole, and an interrupted run leaves nothing behind. When
    ``--out`` does not exist the folder is renamed to it in one step; when it exists,
    only the run's own files in it are replaced (other files are the user's), with
    Ctrl-C held back for those few renames. Creating the folder is also the check that
    ``--out`` can be written, made before anything is loaded or trained. A run killed
    outright (SIGKILL, power loss) can leave its hidden ``.NAME.partial-PID-…`` folder
    beside ``--out``; nothing else removes it."""

    def __init__(self, out):
        self.shown = str(out)                          # as the user wrote it, for messages
        self.out = Path(os.path.abspath(out))
        if self.out.exists() and not self.out.is_dir():
            raise UnusableOut(f"--out {out}: exists and is not a directory")
        for name in RUN_FILES:
            inside = self.out / name
            if (inside.exists() or inside.is_symlink()) and not inside.is_file():
                raise UnusableOut(f"--out {out}: {name} there is not a regular file, so the "
                                 "run could not replace it")
        parent = self.out.parent
        self.tmp, self.created = None, []  # created: the parents made here, for discard()
        try:
            for d in reversed([parent, *parent.parents]):
                if d.is_dir():
                    continue
                if d.exists():
                    raise UnusableOut(f"--out {out}: {d} is not a directory")
                self._mkdir(d, out, f"cannot create the directory {d}")
                self.created.append(d)
            # A name of our own (not mkdtemp's mode 0700): the folder may become --out.
            tmp = parent / f".{self.out.name}.partial-{os.getpid()}-{secrets.token_hex(4)}"
            self._mkdir(tmp, out, f"cannot write in {parent}")
            self.tmp = tmp
        except UnusableOut:
            self.discard()
            raise

    @staticmethod
    def _mkdir(path, out, failure):
        try:
            os.mkdir(path)
        except OSError as e:
            raise UnusableOut(f"--out {out}: {failure} ({e.strerror or e}); expected a "
                             "writable directory") from None

    def path(self, name):
        """Where the run writes ``name`` until ``commit``."""
        return self.tmp / name

    def commit(self):
        """Move the run's files into ``--out``; afterwards ``final(name)`` is where they are."""
        with _sigint_held_back():
            if not self.out.exists():
                os.rename(self.tmp, self.out)
            else:
                for name in RUN_FILES:
                    new, old = self.tmp / name, self.out / name
                    if new.exists():
                        os.replace(new, old)
                    elif old.exists():
                        # The previous run's (this one made no PNG without matplotlib):
                        # it must not sit beside the new model as if it were this run's.
                        os.unlink(old)
                shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp, self.created = None, []

    def final(self, name):
        return os.path.join(self.shown, name)

    def discard(self):
        """Remove the temporary folder, and the parents of ``--out`` made for it."""
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None
        for d in reversed(self.created):
            with contextlib.suppress(OSError):
                os.rmdir(d)            # only when empty: never anything of the user's
        self.created = []


@contextlib.contextmanager
def _sigint_held_back():
    """Ctrl-C is ignored during the block: the block moves a complete run into place,
    which is over in microseconds, and stopping in the middle of it would leave a mixed
    run (after it, the run is complete and only its last lines are left to print)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None
                      else signal.default_int_handler)
