import sys

from counter.app import main

sys.exit(main())
