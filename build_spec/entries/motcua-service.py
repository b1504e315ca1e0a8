"""motcua-service: `python -m app` frozen. Without a command it is `serve` (motcua-service --data DIR …);
every other command works too (motcua-service user add …, motcua-service catalog …)."""

import sys

from app.__main__ import main

argv = sys.argv[1:]
if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
    argv = ["serve", *argv]
sys.exit(main(argv))
