# syntax=docker/dockerfile:1
# Kiều bào Directory: the web application (gunicorn) and its worker, in one image.
#   docker build -t kieubao-directory .
# The builder installs the dependencies into a virtualenv and compiles the translations; the
# final image gets that virtualenv and the application's files only: no compiler, no pip cache,
# running as an unprivileged user.

ARG PYTHON_IMAGE=python:3.11.10-slim-bookworm

FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# The dependencies first, read from pyproject.toml (with gunicorn, the [deploy] extra): this
# layer is rebuilt only when they change. The application itself runs from /srv/app.
COPY pyproject.toml ./
RUN python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
print('\n'.join(p['dependencies'] + p['optional-dependencies']['deploy']))" > requirements.txt \
    && pip install -r requirements.txt \
    && find /opt/venv -name "__pycache__" -prune -exec rm -rf {} +
COPY directory ./directory
COPY search_index ./search_index
# Compiled translations (.po -> .mo) inside the source tree copied below.
RUN python -m directory.i18n compile

FROM ${PYTHON_IMAGE} AS final
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/srv/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    FLASK_APP=app \
    PRODUCTION=1 \
    LOG_FORMAT=json \
    INSTANCE_PATH=/srv/instance \
    WORKER_HEARTBEAT_FILE=/tmp/worker-heartbeat
RUN groupadd --system --gid 10001 kieubao \
    && useradd --system --uid 10001 --gid kieubao --home-dir /srv/app --no-create-home \
       --shell /usr/sbin/nologin kieubao \
    && mkdir -p /srv/app /srv/instance \
    && chown kieubao:kieubao /srv/instance
COPY --from=builder /opt/venv /opt/venv
WORKDIR /srv/app
COPY app.py gunicorn.conf.py pyproject.toml ./
COPY --from=builder /src/directory ./directory
COPY --from=builder /src/search_index ./search_index
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
USER kieubao:kieubao
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["gunicorn", "app:app"]
