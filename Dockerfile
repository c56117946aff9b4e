# The portal's image: the same image runs the web (gunicorn), the Celery worker and beat, and the
# one-shot migrations; docker-compose.yml picks the command. Assets are built in a Node stage so
# the runtime image carries no Node.

# --- Stage 1: the branded stylesheet and the GOV.UK Frontend assets (as `make assets` does) ---
FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY dps/static/scss dps/static/scss
RUN mkdir -p dps/static/build dps/static/govuk \
 && cp -R node_modules/govuk-frontend/dist/govuk/assets dps/static/govuk/assets \
 && cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js dps/static/govuk/ \
 && node_modules/.bin/sass --quiet --no-source-map --pkg-importer=node --style=compressed \
      dps/static/scss/main.scss dps/static/build/main.css

# --- Stage 2: the application ---
FROM python:3.11-slim AS app
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DPS_ENV=production \
    DPS_INSTANCE_PATH=/tmp/dps-instance
WORKDIR /app

# Dependencies first, in a layer of their own that changes only with pyproject.toml.
COPY pyproject.toml README.md ./
RUN mkdir dps workers && touch dps/__init__.py workers/__init__.py \
 && pip install . && pip uninstall --yes ccin-dps && rm -rf dps workers build *.egg-info

# The code runs from /app (templates/ and migrations/ sit beside the package).
COPY . .
COPY --from=assets /build/dps/static/build dps/static/build
COPY --from=assets /build/dps/static/govuk dps/static/govuk
RUN pip install --no-deps -e . \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin dps
USER dps

EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "wsgi:app"]
