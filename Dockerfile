# Stakemap API image. Build: docker build -t stakemap .
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
COPY graph ./graph
COPY queries ./queries
COPY schemas ./schemas
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 stakemap
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER stakemap
WORKDIR /home/stakemap
ENV STAKEMAP_SQLITE_PATH=/home/stakemap/var/stakemap.db
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz').status != 200)"
# stakemap serve, not bare uvicorn: it adds the request-head deadline and size cap, turns
# uvicorn's access log off (ours has no query strings) and leaves X-Forwarded-For to
# STAKEMAP_TRUSTED_PROXIES.
CMD ["stakemap", "serve", "--host", "0.0.0.0", "--port", "8000"]
