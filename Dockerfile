# syntax=docker/dockerfile:1
# owdata image: `owdata serve` by default, `owdata worker` with another command.
#
#   docker build -t owdata .
#   docker run -p 8080:8080 -v owdata-data:/data owdata
#
# Two stages: the builder resolves the locked dependencies with uv into a virtual
# environment; the runtime stage copies only that environment (no uv, no compiler, no
# sources beyond the installed package) onto the same slim Python base.

ARG PYTHON_IMAGE=python:3.12-slim-bookworm

FROM ${PYTHON_IMAGE} AS builder
# uv from PyPI, pinned: the same resolver that wrote uv.lock.
ARG UV_VERSION=0.13.9
RUN pip install --no-cache-dir --disable-pip-version-check "uv==${UV_VERSION}"
# The environment lives where the runtime stage expects it, with the base image's Python
# (never a downloaded one), compiled to bytecode once here rather than at every start.
ENV UV_PROJECT_ENVIRONMENT=/opt/owdata \
    UV_PYTHON=/usr/local/bin/python3.12 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy
WORKDIR /src
# Dependencies first, in a layer of their own: editing the code does not reinstall them.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY app ./app
# --no-editable: the package is copied into the environment, so /src is not needed later.
RUN uv sync --frozen --no-dev --no-editable

FROM ${PYTHON_IMAGE} AS runtime
# A fixed, unprivileged uid/gid: volume files keep the same owner across rebuilds.
RUN groupadd --system --gid 10001 owdata \
    && useradd --system --uid 10001 --gid owdata --home-dir /nonexistent \
       --no-create-home --shell /usr/sbin/nologin owdata \
    && mkdir -p /data /srv/owdata \
    && chown owdata:owdata /data
COPY --from=builder /opt/owdata /opt/owdata
ENV PATH=/opt/owdata/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    STORAGE_PATH=/data/owdata.db
# The SQLite database (and anything else worth keeping) lives in /data.
VOLUME ["/data"]
# Relative settings (STATIC_DIR) resolve here; the folder is read-only for the app.
WORKDIR /srv/owdata
# Numeric, so orchestrators can verify the image does not run as root.
USER 10001:10001
EXPOSE 8080
# Slim images have no curl: ask with Python's urllib. /openapi.json is built once and
# answered from memory, so checking it costs the app nothing and never calls Blizzard.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/openapi.json', timeout=4)"]
ENTRYPOINT ["owdata"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
