"""motcua-rating: `python -m app rating` frozen."""

import sys

from app.rating.app import main

sys.exit(main())
