"""motcua-display: `python -m app display` frozen."""

import sys

from app.display.app import main

sys.exit(main())
