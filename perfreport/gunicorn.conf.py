"""gunicorn settings for production: `gunicorn -c perfreport/gunicorn.conf.py perfreport.wsgi`."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# Threads: a request waiting on PostgreSQL (most of a page's time is round trips) lets another
# request of the same worker use the CPU. Each thread keeps its own database connection, so
# PostgreSQL sees workers x threads connections per server.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))  # PDF exports take seconds
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
