"""Where the captured upstream pages live (`../shared/fixtures` beside the repo by default).

One setting locates them for tests, benchmarks and the fake upstream: the environment
variable `OWDATA_FIXTURES_DIR`.
"""

from __future__ import annotations

import os
from pathlib import Path

FIXTURES_ENV_VAR = "OWDATA_FIXTURES_DIR"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FIXTURES_DIR = REPO_ROOT.parent / "shared" / "fixtures"


def fixtures_dir() -> Path:
    """The configured fixtures folder (it may not exist on a user's fresh clone)."""
    return Path(os.environ.get(FIXTURES_ENV_VAR) or DEFAULT_FIXTURES_DIR)
