"""Slow work off the UI thread: a worker thread, a queue, and ``after()`` polling.

The worker opens its own SQLite connection to the same file (a connection is never used by
two threads at once) and reports progress through the queue; callbacks run on the UI thread.
"""

import queue
import threading

from commune_payout.db import open_db

POLL_MS = 50


class Task:
    """One piece of background work; ``done`` turns true once its callbacks have run."""

    def __init__(self):
        self.done = False
        self.result = None
        self.error: BaseException | None = None


class TaskRunner:
    def __init__(self, root, db_path, report_exception):
        self.root = root
        self.db_path = db_path
        self.report_exception = report_exception

    def start(self, work, *, on_done=None, on_progress=None, on_error=None) -> Task:
        """Run ``work(db, progress)`` in a thread; ``progress(done, total, text="")`` may be called
        from it. ``on_done(result)`` or ``on_error(exc)`` (default: the shell's error report) then
        run on the UI thread."""
        task = Task()
        messages: queue.Queue = queue.Queue()

        def progress(done, total, text=""):
            messages.put(("progress", (done, total, text)))

        def run():
            db = None
            try:
                db = open_db(self.db_path)
                messages.put(("done", work(db, progress)))
            except BaseException as exc:  # handed to the UI thread, which reports it
                messages.put(("error", exc))
            finally:
                if db is not None:
                    db.close()

        def poll():
            try:
                while True:
                    kind, value = messages.get_nowait()
                    if kind == "progress":
                        if on_progress:
                            on_progress(*value)
                        continue
                    task.done = True
                    if kind == "done":
                        task.result = value
                        if on_done:
                            on_done(value)
                    else:
                        task.error = value
                        (on_error or self.report_exception)(value)
                    return
            except queue.Empty:
                self.root.after(POLL_MS, poll)

        threading.Thread(target=run, daemon=True, name="commune-payout-task").start()
        self.root.after(POLL_MS, poll)
        return task
