"""``python -m npc_classify``: the ``npc-classify`` command."""

import sys

from .cli import main

sys.exit(main())
