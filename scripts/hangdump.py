"""A pytest plugin for finding tasks that never finish when a test's event loop closes (issue 19's hang): cancel,
wait 15 s, print the stack of each task still pending. Use: PYTHONPATH=scripts scripts/test … -p hangdump -s"""

import asyncio
import asyncio.runners as runners
import sys

_original = runners._cancel_all_tasks


def _cancel_and_show(loop: asyncio.AbstractEventLoop) -> None:
    tasks = [task for task in asyncio.all_tasks(loop) if not task.done()]
    if tasks:
        for task in tasks:
            task.cancel()
        _, pending = loop.run_until_complete(asyncio.wait(tasks, timeout=15))
        for task in pending:
            sys.stderr.write(f"\nSTUCK TASK {task.get_name()}:\n")
            task.print_stack(file=sys.stderr)
    _original(loop)


runners._cancel_all_tasks = _cancel_and_show
