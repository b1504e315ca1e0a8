"""motcua-counter: `python -m counter` frozen."""

import sys

from counter.app import main

sys.exit(main())
