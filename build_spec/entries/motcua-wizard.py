"""motcua-wizard: `python -m app setup` (the first-run wizard) frozen, without a console window on Windows."""

import sys

from app.__main__ import main

sys.exit(main(["setup", *sys.argv[1:]]))
