"""`flask serve`: the web server and the scheduler side by side, the scheduler supervised.

The site must keep serving when the scheduler dies: a scheduler that exits is logged and started
again after a pause that doubles with each quick failure (1 s, 2 s, 4 s … at most a minute) and
starts over once it has run for a minute. Only the web server's own death, or Ctrl-C / SIGTERM,
ends `serve` (exit 1 when the web server died on its own).
"""
import logging
import signal
import subprocess
import time

log = logging.getLogger("qishare.serve")

FIRST_PAUSE = 1.0
LONGEST_PAUSE = 60.0
HEALTHY_AFTER = 60.0
POLL = 0.5


class Supervisor:
    def __init__(self, web_command, scheduler_command, env):
        self.web_command, self.scheduler_command, self.env = web_command, scheduler_command, env
        self.web = self.scheduler = None
        self.pause, self.restart_at, self.started_at = FIRST_PAUSE, None, None
        self.stopping = False

    def run(self):
        """Serve until asked to stop (returns 0) or until the web server dies on its own (returns 1)."""
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        self.web = subprocess.Popen(self.web_command, env=self.env)
        self._start_scheduler()
        while not self.stopping and self.web.poll() is None:
            self._watch_scheduler(time.monotonic())
            time.sleep(POLL)
        died = not self.stopping
        if died:
            log.error("web server exited with code %s; stopping", self.web.returncode)
        self._terminate()
        return 1 if died else 0

    def stop(self, *_args):
        self.stopping = True

    def _start_scheduler(self):
        self.scheduler = subprocess.Popen(self.scheduler_command, env=self.env)
        self.started_at, self.restart_at = time.monotonic(), None
        log.info("scheduler started (pid %s)", self.scheduler.pid)

    def _watch_scheduler(self, now):
        if self.restart_at is not None:
            if now >= self.restart_at:
                self._start_scheduler()
            return
        if self.scheduler.poll() is None:
            if now - self.started_at >= HEALTHY_AFTER:
                self.pause = FIRST_PAUSE
            return
        log.warning("scheduler (pid %s) exited with code %s; restarting in %.0f s; the site keeps serving",
                    self.scheduler.pid, self.scheduler.returncode, self.pause)
        self.restart_at = now + self.pause
        self.pause = min(self.pause * 2, LONGEST_PAUSE)

    def _terminate(self):
        children = [child for child in (self.web, self.scheduler) if child is not None]
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
