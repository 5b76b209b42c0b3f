"""Slow work off the UI thread: a worker thread, a queue, and ``after()`` polling.

The worker opens its own SQLite connection to the same file (a connection is never used by
two threads at once) and reports progress through the queue; callbacks run on the UI thread.

A worker never holds a Tk object (a widget, a tkinter variable, an image, the root, or a view
or bound method that leads to one). Python frees an object in whichever thread drops its
last reference, and the garbage collector runs in whichever thread happens to allocate: a Tk
object finalised in a worker makes Tcl call back from the wrong thread, and a root finalised
there aborts the whole process ("Tcl_AsyncDelete: async handler deleted by the wrong
thread"). So ``work`` gets plain data in (copy what it needs out of the widgets before
:meth:`TaskRunner.start`) and hands plain data back; the thread's own function is a module
function that knows nothing of the window; and Tk garbage is collected on the UI thread
before a worker starts, so a worker's allocations never find any to finalise.
"""

import gc
import queue
import threading
import time
import tkinter

from commune_payout.db import open_db

POLL_MS = 50

# Objects a worker must not reach: finalising them off the UI thread calls into Tcl.
TK_TYPES = (tkinter.Misc, tkinter.Variable, tkinter.Image)


class Task:
    """One piece of background work; ``done`` turns true once its callbacks have run."""

    def __init__(self):
        self.done = False
        self.result = None
        self.error: BaseException | None = None


def tk_references(work) -> list[str]:
    """What in ``work`` (its bound ``self``, closure cells, default arguments) is a Tk object.

    A shallow look, enough to catch the usual slip: a lambda that uses ``self.`` of a view.
    """
    found = []
    owner = getattr(work, "__self__", None)
    if isinstance(owner, TK_TYPES):
        found.append(f"self={owner!r}")
    function = getattr(work, "__func__", work)
    code = getattr(function, "__code__", None)
    cells = zip(code.co_freevars, function.__closure__ or ()) if code is not None else ()
    for name, cell in cells:
        try:
            value = cell.cell_contents
        except ValueError:  # a cell not filled yet
            continue
        if isinstance(value, TK_TYPES):
            found.append(f"{name}={value!r}")
    for value in getattr(function, "__defaults__", None) or ():
        if isinstance(value, TK_TYPES):
            found.append(f"default={value!r}")
    return found


def _run(work, db_path, messages: queue.Queue) -> None:
    """The worker thread: open a connection, run ``work``, queue its result or its error."""

    def progress(done, total, text=""):
        messages.put(("progress", (done, total, text)))

    db = None
    try:
        db = open_db(db_path)
        messages.put(("done", work(db, progress)))
    except BaseException as exc:  # handed to the UI thread, which reports it
        messages.put(("error", exc))
    finally:
        if db is not None:
            db.close()


class TaskRunner:
    """Starts workers for one window and delivers their results on its UI thread."""

    def __init__(self, root, db_path, report_exception):
        self.root = root
        self.db_path = db_path
        self.report_exception = report_exception
        self.threads: list[threading.Thread] = []

    def start(self, work, *, on_done=None, on_progress=None, on_error=None) -> Task:
        """Run ``work(db, progress)`` in a thread; ``progress(done, total, text="")`` may be called
        from it. ``on_done(result)`` or ``on_error(exc)`` (default: the shell's error report) then
        run on the UI thread. ``work`` must not reach a Tk object (see the module docstring)."""
        leaks = tk_references(work)
        if leaks:
            raise TypeError("work for a worker thread must not hold Tk objects: " + ", ".join(leaks))
        task = Task()
        messages: queue.Queue = queue.Queue()

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

        # Destroyed dialogs and widgets often sit in reference cycles; free them here, on
        # the UI thread, rather than leave them for the worker's allocations to collect.
        gc.collect()
        self.threads = [t for t in self.threads if t.is_alive()]
        thread = threading.Thread(target=_run, args=(work, self.db_path, messages), daemon=True,
                                  name="commune-payout-task")
        self.threads.append(thread)
        thread.start()
        self.root.after(POLL_MS, poll)
        return task

    def busy(self) -> bool:
        """Whether a worker is still running."""
        return any(t.is_alive() for t in self.threads)

    def join(self, timeout: float = 60.0) -> bool:
        """Wait (up to ``timeout`` seconds in all) for running workers; true if none is left.

        Call it before destroying the window: a worker still writing is let finish. Their
        results are not delivered (the UI thread is not polling any more)."""
        end = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0.0, end - time.monotonic()))
        self.threads = [t for t in self.threads if t.is_alive()]
        return not self.threads
