"""`python -m qa_warehouse`: the qa-warehouse command."""

import sys

from qa_warehouse.cli import main

sys.exit(main())
