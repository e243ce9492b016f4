FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core poppler-utils && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
COPY . .
RUN uv sync --frozen --no-dev --group deploy && ln -s /app/.venv/bin/* /usr/local/bin/ 2>/dev/null || true
ENV PATH="/app/.venv/bin:${PATH}" PYTHONUNBUFFERED=1
