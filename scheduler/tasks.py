"""Thin tasks: each calls a service with `now` and reports what it did."""
from app.ops import services as ops


def heartbeat(now):
    ops.beat("scheduler", now)
    return "alive"
