# sonket-gsync as a service: one image, two commands.
#   web:    gunicorn serving webhooks:create_app() (the default command)
#   worker: sonket-gsync worker   (runs sync / compile / upload jobs and the nightly schedule)
# Settings come from the environment (SONKET_*, see README); /data is the data volume
# (SQLite store and local workspace; with SONKET_DATABASE_URL=postgresql://… the store is in
# PostgreSQL and /data holds only the local workspace, if any).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PORT=8080 \
    SONKET_DATA_DIR=/data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY sonket_gsync ./sonket_gsync
COPY webhooks ./webhooks
COPY config ./config
COPY templates ./templates
# The example campaign and the report template ship inside the package (package data):
# once installed, the image runs from site-packages and the sources in /app are removed.
RUN pip install /app \
    && rm -rf /app/* \
    && useradd --create-home --uid 10001 sonket \
    && mkdir -p /data && chown sonket:sonket /data

USER sonket
VOLUME ["/data"]
EXPOSE 8080

# Web (default). The worker is the same image with another command; give both a restart
# policy (the worker exits non-zero only on a permanent error, e.g. a missing store):
#   docker run -d --restart unless-stopped … IMAGE
#   docker run -d --restart unless-stopped … IMAGE sonket-gsync worker
CMD ["sh", "-c", "exec gunicorn --bind 0.0.0.0:${PORT} --workers 2 --threads 4 --timeout 60 'webhooks:create_app()'"]
