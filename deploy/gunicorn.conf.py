"""gunicorn settings shared by the four HTTP services (gthread; clients are created per worker
after fork, never in the master: no preload_app)."""
import os

bind = os.environ.get("PANTAU_BIND") or f"{os.environ.get('PANTAU_HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("PANTAU_WORKERS", "2"))
threads = int(os.environ.get("PANTAU_THREADS", "4"))
worker_class = "gthread"
timeout = 60
graceful_timeout = 20
keepalive = 5
preload_app = False
control_socket_disable = True  # several gunicorns run side by side; no shared control socket
accesslog = None
errorlog = "-"
loglevel = os.environ.get("PANTAU_LOG_LEVEL", "warning")


def child_exit(server, worker):
    # multiprocess metrics: drop the dead worker's live gauges
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess
        multiprocess.mark_process_dead(worker.pid)
