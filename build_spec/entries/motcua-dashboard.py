"""motcua-dashboard: `python -m app dashboard` frozen."""

import sys

from app.dashboard.app import main

sys.exit(main())
