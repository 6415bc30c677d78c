"""Gunicorn settings for Storyboard: `gunicorn -c gunicorn.conf.py wsgi:app`.

Sensible defaults for a small server behind a reverse proxy; each can be overridden with an
environment variable (STORYBOARD_BIND, STORYBOARD_WORKERS, STORYBOARD_THREADS,
STORYBOARD_TIMEOUT, STORYBOARD_MAX_REQUESTS) or on gunicorn's command line.
"""
import gc
import multiprocessing
import os

# Behind nginx or another proxy on the same host. For a proxy on another host, bind to a private
# address and firewall it: a client reaching gunicorn directly could forge X-Forwarded-For.
bind = os.environ.get("STORYBOARD_BIND", "127.0.0.1:8000")
# Pages spend most of their time in Python, so processes (one per core, and one spare) scale.
workers = int(os.environ.get("STORYBOARD_WORKERS", multiprocessing.cpu_count() + 1))
# Threads let a worker overlap database waits; 1 means gunicorn's plain sync worker.
threads = int(os.environ.get("STORYBOARD_THREADS", 1))
timeout = int(os.environ.get("STORYBOARD_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, staggered, so a slow leak never takes a server down; a new
# worker takes about half a second to start. STORYBOARD_MAX_REQUESTS=0 never recycles.
max_requests = int(os.environ.get("STORYBOARD_MAX_REQUESTS", 20000))
max_requests_jitter = max_requests // 10
# The app is built in each worker: database pools and Redis clients must not cross a fork.
preload_app = False
# The proxy sets X-Forwarded-*; Storyboard reads them through PROXY_FIX_X_FOR.
forwarded_allow_ips = os.environ.get("STORYBOARD_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("STORYBOARD_LOG_LEVEL", "info")
proc_name = "storyboard"
# Gunicorn 27 opens a control socket at ~/.gunicorn/gunicorn.ctl by default: one path for every
# gunicorn of the user, so two instances on a host (or a benchmark beside the site) would fight
# over it. Storyboard does not use it.
control_socket_disable = True

# Python's full garbage collection walks every object the process holds: with the app, its
# mappers and compiled templates loaded, that is a 30-150 ms pause every few hundred requests,
# which is most of a page's p99 (bench/pages.py). Objects that live as long as the worker are
# moved out of its reach (gc.freeze) once the app is built, and again once the first requests
# have compiled the templates and SQL the pages use; what requests allocate is still collected.
SETTLED_AFTER_REQUESTS = 200


def post_worker_init(worker):
    settle_long_lived_objects()
    worker.requests_served = 0


def post_request(worker, req, environ, resp):
    # Threaded workers call this from several threads: each compares the count it wrote.
    served = worker.requests_served = getattr(worker, "requests_served", 0) + 1
    if served == SETTLED_AFTER_REQUESTS:
        settle_long_lived_objects()


def settle_long_lived_objects():
    gc.collect()
    gc.freeze()
