"""`python -m app.rating …` is `python -m app rating …`."""

import sys

from app.rating.app import main

sys.exit(main())
