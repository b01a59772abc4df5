FROM python:3.11-slim
# Production by default: DEBUG off (settings then demand a real SECRET_KEY and ALLOWED_HOSTS).
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DEBUG=false
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
# collectstatic needs settings but no secrets: build with throwaway values.
RUN SECRET_KEY=build-only-$(python -c "print('x'*60)") ALLOWED_HOSTS=build \
    python manage.py collectstatic --no-input
RUN useradd --create-home app && mkdir -p /app/var/media && chown -R app /app/var
USER app
EXPOSE 8000
CMD ["gunicorn", "essportal.wsgi", "--config", "gunicorn.conf.py"]
