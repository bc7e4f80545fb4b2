"""Gunicorn settings for the container (``gunicorn app:app`` reads this file from the working
directory). Every value can be changed through the environment; see README "Deploying"."""

import gc
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# Two or three synchronous workers per core is the usual starting point.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (a slow leak never grows without bound).
max_requests = 2000
max_requests_jitter = 200
# The heartbeat files in memory, not on the container's overlay filesystem.
worker_tmp_dir = "/dev/shm"
# The application writes one line per request itself (JSON, with the request id).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# X-Forwarded-* are read by the application (TRUSTED_PROXIES), not by gunicorn.
forwarded_allow_ips = "127.0.0.1"

# Gunicorn's own lines (start, workers, timeouts) in the application's JSON format too.
if os.environ.get("LOG_FORMAT", "").lower() == "json":
    logconfig_dict = {
        # The application puts its own handler on the root logger.
        "root": {"level": loglevel.upper(), "handlers": []},
        "loggers": {
            "gunicorn.error": {
                "level": loglevel.upper(),
                "handlers": ["error_console"],
                "propagate": False,
                "qualname": "gunicorn.error",
            }
        },
        "formatters": {"generic": {"()": "directory.core.logs.JsonFormatter"}},
    }


def post_worker_init(worker):
    """Move the objects of the loaded application (modules, routes, templates, reference
    data: about 180,000 tracked objects) out of the cyclic garbage collector's reach.

    They live as long as the worker, yet every full collection walked them all: about a
    quarter of the CPU time of a need's matching with 762 candidates (bench/README.md
    "Matching"). New objects are still collected as usual (``gc.freeze`` in the Python docs).
    """
    gc.collect()
    gc.freeze()
