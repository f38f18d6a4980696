"""gunicorn's settings wherever QI-Share is served: `flask serve`, deploy/systemd, the benchmarks and the
browser tests start gunicorn in this directory, and gunicorn reads ./gunicorn.conf.py (flags given on the
command line win).

A sync worker is replaced after 10,000 requests (± 1,000, so that the workers are not replaced together):
what a worker has grown by — the allocator's fragmentation over many requests — is given back, at the cost
of one start (importing the app: about a second of CPU) per 10,000 requests. Sooner than that, a worker
that a large request (the 附件4 export, a yearly summary) left above TRIM_ABOVE_MB hands the memory that
request freed back to the system (glibc's malloc_trim; ~20 MB after the city's export); below it,
checking costs one read of /proc/self/statm per request.
"""
import ctypes
import os

max_requests = 10000
max_requests_jitter = 1000

TRIM_ABOVE_MB = 130
_PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20
try:
    _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
except (OSError, AttributeError):  # not glibc: nothing to trim with
    _malloc_trim = None


def _rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * _PAGE_MB


def post_request(worker, req, environ, resp):
    if _malloc_trim is not None and _rss_mb() > TRIM_ABOVE_MB:
        _malloc_trim(0)
