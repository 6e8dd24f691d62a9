"""``python -m retrograd.course ...`` — the same as ``retrograd course ...``."""
import sys

from .cli import main

sys.exit(main())
