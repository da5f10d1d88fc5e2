"""A pytest plugin for finding tasks that never finish when a test's event loop closes (issue 19's hang):
cancel, wait 15 s, print the stack of each task still pending. Use: PYTHONPATH=scripts scripts/test … -p hangdump -s
"""

import asyncio
import asyncio.runners as r
import sys

orig = r._cancel_all_tasks


def patched(loop):
    tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
    if tasks:
        for t in tasks:
            t.cancel()
        done, pending = loop.run_until_complete(asyncio.wait(tasks, timeout=15))
        for t in pending:
            sys.stderr.write(f"\nSTUCK TASK {t.get_name()}:\n")
            t.print_stack(file=sys.stderr)
    return orig(loop)


r._cancel_all_tasks = patched
