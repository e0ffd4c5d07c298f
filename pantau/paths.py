"""Where the checkout and its git-ignored local state (`.local/`: Kafka, the store, run
directories, keys) are; every process resolves them the same way."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCAL = Path(os.environ.get("PANTAU_LOCAL_DIR", ROOT / ".local"))
