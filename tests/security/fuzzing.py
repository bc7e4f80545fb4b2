"""What the fuzz tests share: how many examples to try, and how a failure is reported."""

from __future__ import annotations

import os
from collections.abc import Callable

from hypothesis import Phase

# Examples per operation (API) or per form (pages), and per generation mode. The CI default
# keeps the fuzz tests within their budget; FUZZ_EXAMPLES=500 runs them longer locally.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
# No shrinking: the failure report already holds the request (a curl command) that failed.
PHASES = (Phase.explicit, Phase.generate)


def first_failure(run: Callable[[], None]) -> str | None:
    """Run a Hypothesis test; None when it passes, else a short account of its failure.

    Schemathesis reports its failures as a ``BaseExceptionGroup``, hence the broad catch.
    """
    try:
        run()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - every failure is collected, then asserted
        text = f"{type(exc).__name__}: {exc}"
        lines = [line for line in text.splitlines() if line.strip()]
        curl = [line.strip() for line in lines if line.strip().startswith("curl ")]
        return "\n".join(lines[:12] + curl[:1])[:2500]
    return None
