FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# WeasyPrint needs Pango; fonts for readable PDFs.
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir . && DEBUG=0 SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime \
    ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput
# Attachments (ATTACHMENT_STORAGE=local) live in a volume the app's user writes (docker-compose.yml).
RUN useradd --create-home casework && mkdir -p /var/lib/casework/attachments \
    && chown casework /var/lib/casework/attachments
USER casework
EXPOSE 8000
CMD ["gunicorn", "casework.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
