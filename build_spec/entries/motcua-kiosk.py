"""motcua-kiosk: `python -m kiosk` frozen."""

import sys

from kiosk.app import main

sys.exit(main())
