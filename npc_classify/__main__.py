"""``python -m npc_classify``: the ``npc-classify`` command."""

import sys

from ._command import main

sys.exit(main())
