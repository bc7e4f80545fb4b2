"""Run ``reindex`` in a process that kills itself (SIGKILL) once the first batch of documents
went to the new index.

``python -m tests.faults.crash_reindex INSTANCE CONFIG_JSON BATCH_SIZE``: ``CONFIG_JSON`` holds
the configuration that differs from the tests' (database URL, search engine). Prints
``sent N`` (documents handed to the new index) before dying.
"""

from __future__ import annotations

import json
import os
import signal
import sys


def main(instance: str, overrides: dict, batch_size: int) -> None:
    from directory import create_app
    from directory.search import documents
    from directory.search.sync import reindex
    from tests.conftest import test_config

    app = create_app(test_config(instance, **overrides))
    real = documents.all_documents

    def dying(session, batch_size):
        sent = 0
        for batch in real(session, batch_size=batch_size):
            if sent:
                print(f"sent {sent}", flush=True)
                os.kill(os.getpid(), signal.SIGKILL)
            sent += len(batch)
            yield batch

    documents.all_documents = dying
    reindex(app, batch_size=batch_size, echo=lambda _line: None)
    sys.exit("the reindex finished: it should have been killed")


if __name__ == "__main__":
    main(sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]))
