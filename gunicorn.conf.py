"""gunicorn's settings wherever QI-Share is served: `flask serve`, deploy/systemd, the benchmarks and the
browser tests start gunicorn in this directory, and gunicorn reads ./gunicorn.conf.py (flags given on the
command line win).

A sync worker is replaced after 10,000 requests (± 1,000, so that the workers are not replaced together):
what a worker has grown by — a 附件4 export's openpyxl and rows, the allocator's fragmentation — is given
back, at the cost of one start (importing the app: about a second of CPU) per 10,000 requests.
"""
max_requests = 10000
max_requests_jitter = 1000
