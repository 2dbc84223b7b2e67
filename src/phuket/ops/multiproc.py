"""Several uvicorn workers share their metrics through prometheus-client's multiprocess folder."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile


def prepare_metrics_dir(workers: int) -> str | None:
    """For `phuket serve --workers N` (N > 1): point PROMETHEUS_MULTIPROC_DIR at a fresh, empty folder
    that the workers inherit, and remove it when the server exits. A folder set by the operator is used
    as it is (it must be emptied between runs, see docs/operations.md). Must run before the workers
    import prometheus-client: they are spawned processes, so setting the variable here is enough."""
    existing = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if existing:
        os.makedirs(existing, exist_ok=True)
        return existing
    if workers <= 1:
        return None
    directory = tempfile.mkdtemp(prefix="phuket-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    atexit.register(shutil.rmtree, directory, True)
    return directory
