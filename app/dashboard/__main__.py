"""`python -m app.dashboard …` is `python -m app dashboard …`."""

import sys

from app.dashboard.app import main

sys.exit(main())
