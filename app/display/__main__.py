"""`python -m app.display …` is `python -m app display …`."""

import sys

from app.display.app import main

sys.exit(main())
