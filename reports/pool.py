"""Heavy files (charts, workbooks, zips) built off the event loop, once, and kept while their data holds.

One `Builds` per process (`App.builds`), shared by the chat and the dashboard:

- **a process pool** (`[reports] workers`, 1 by default; 0 builds in a thread of this process, as before): matplotlib
  and openpyxl hold the GIL, so in a thread they slow every update down. Started on first use, from a forkserver that
  has imported the builders once (`reports.work.PRELOAD`); each worker is replaced after `TASKS_PER_WORKER` files so
  matplotlib's memory does not creep. A build takes a recipe of plain data (`bot.chat.messages.Recipe`): the
  database was read in the transaction, the build runs after it.
- **a cache** keyed by a digest of exactly what the builder receives (the builder, the language, the data's `repr`),
  least recently used first out, bounded by count and bytes. The same file asked by two people at once is built once.
- **one build in flight per person** (`claim`/`release`): the chat's `settle` answers a second `/rekap` "masih
  disiapkan"; the dashboard answers 429.
- **the chat's follow-up**: `settle` (the chat core, after the commit) puts a cached file in the answer at once, or
  says "sedang disiapkan" and starts the build; the adapter hands `follow` its own way of sending, and the file goes
  out when it is ready. Every task is tracked: `idle()` waits for them (tests, the demo), `close()` ends them and the
  pool (the runtime's stop, `App.close`).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import multiprocessing
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine, Hashable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from bot.chat.messages import OutMessage, Recipe
from bot.i18n import t

log = logging.getLogger("klambi.reports.pool")


class Outcome(Protocol):
    """What `settle` needs of the chat core's outcome (`handlers.common.Outcome`; reports never import the chat)."""

    answers: list[OutMessage]
    later: list[Later]


CACHE_FILES = 64  # files kept
CACHE_BYTES = 64 * 2**20  # and bytes kept; a file larger than a quarter of it is sent, not kept
TASKS_PER_WORKER = 100  # a worker is replaced after this many files (matplotlib's caches grow)
CLOSE_WAIT = 30.0  # seconds a stop waits for files being built before it cancels them

Send = Callable[[OutMessage], Awaitable[Any]]


class Busy(Exception):
    """This person (or viewer) already has a file being built."""


def digest(recipe: Recipe) -> str:
    """The cache key: the builder, the language and exactly the data the builder receives. `repr` (not pickle, which
    records which objects are shared) so that equal data always gives the same key."""
    text = repr((recipe.builder, recipe.language, recipe.data))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class Later:
    """The answers of one turn whose files are being built: they go out when `ready` is done (`Builds.follow`)."""

    ready: asyncio.Task[list[OutMessage]]
    messages: list[OutMessage] = field(default_factory=list)


class Builds:
    def __init__(self, workers: int = 1) -> None:
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None
        self._starting: asyncio.Future[ProcessPoolExecutor] | None = None
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        self._cache_bytes = 0
        self._building: dict[str, asyncio.Task[bytes]] = {}  # by digest: one build of the same file
        self._owners: set[Hashable] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self.hits = self.misses = self.built = 0
        # a test's hook, awaited before each build starts (hold it until released, or fail it); None in production
        self.gate: Callable[[Recipe], Awaitable[None]] | None = None

    # --- building -------------------------------------------------------------------------------------------------

    def cached(self, recipe: Recipe) -> bytes | None:
        key = digest(recipe)
        content = self._cache.get(key)
        if content is not None:
            self._cache.move_to_end(key)
            self.hits += 1
        return content

    async def build(self, recipe: Recipe) -> bytes:
        """The file's bytes: kept, being built for someone else already, or built now in the pool."""
        content = self.cached(recipe)
        if content is not None:
            return content
        key = digest(recipe)
        task = self._building.get(key)
        if task is None:
            self.misses += 1
            task = self._building[key] = self.spawn(self._make(key, recipe))
        return await asyncio.shield(task)  # one who stops waiting (a closed page) does not stop it for the others

    async def _make(self, key: str, recipe: Recipe) -> bytes:
        from reports import work

        try:
            if self.gate is not None:
                await self.gate(recipe)
            if self.workers <= 0:
                content = await asyncio.to_thread(work.build, recipe.builder, recipe.data, recipe.language)
            else:
                loop = asyncio.get_running_loop()
                try:
                    pool = await self._pool()
                    content = await loop.run_in_executor(pool, work.build, recipe.builder, recipe.data, recipe.language)
                except BrokenProcessPool:  # a worker died (out of memory?): the next build starts a new pool
                    self._drop_pool()
                    raise
            self.built += 1
            self._keep(key, content)
            return content
        finally:
            self._building.pop(key, None)

    def _keep(self, key: str, content: bytes) -> None:
        if len(content) > CACHE_BYTES // 4:
            return
        self._cache[key] = content
        self._cache_bytes += len(content)
        while len(self._cache) > CACHE_FILES or self._cache_bytes > CACHE_BYTES:
            _, dropped = self._cache.popitem(last=False)
            self._cache_bytes -= len(dropped)

    async def _pool(self) -> ProcessPoolExecutor:
        """The pool, started in a thread the first time: starting the forkserver and forking the first worker waits
        for the builders' imports, which must not stop the event loop."""
        if self._executor is None:
            if self._starting is None:
                self._starting = asyncio.ensure_future(asyncio.to_thread(self._start))
            starting = self._starting
            try:
                executor = await asyncio.shield(starting)
            finally:
                if self._starting is starting and starting.done():
                    self._starting = None
            if self._executor is None:
                self._executor = executor
            elif self._executor is not executor:
                executor.shutdown(wait=False)
        return self._executor

    def _start(self) -> ProcessPoolExecutor:
        from reports.work import PRELOAD, lower_priority

        try:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
        except ValueError:  # no forkserver on this platform
            context = multiprocessing.get_context("spawn")
        executor = ProcessPoolExecutor(self.workers, mp_context=context, initializer=lower_priority,
                                       max_tasks_per_child=TASKS_PER_WORKER)  # fmt: skip
        executor.submit(int).result()  # the first worker forked and answering
        log.info("report pool started: %d worker(s), %s", self.workers, context.get_start_method())
        return executor

    def _drop_pool(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

    # --- one per person -------------------------------------------------------------------------------------------

    def busy(self, owner: Hashable) -> bool:
        return owner in self._owners

    def claim(self, owner: Hashable) -> bool:
        """Take `owner`'s one place; False when they already have a file being built."""
        if owner in self._owners:
            return False
        self._owners.add(owner)
        return True

    def release(self, owner: Hashable) -> None:
        self._owners.discard(owner)

    async def build_for(self, owner: Hashable, recipe: Recipe) -> bytes:
        """The dashboard's download: kept bytes, or the same file being built already, at no extra cost; else built,
        one at a time per `owner` (else `Busy`)."""
        content = self.cached(recipe)
        if content is not None:
            return content
        if digest(recipe) in self._building:
            return await self.build(recipe)
        if not self.claim(owner):
            raise Busy(owner)
        try:
            return await self.build(recipe)
        finally:
            self.release(owner)

    # --- the chat -------------------------------------------------------------------------------------------------

    def settle(self, outcome: Outcome, owner: Hashable) -> None:
        """After the update's commit: every answer whose files have recipes gets its kept bytes at once, or is
        replaced by its "sedang disiapkan" and follows when built (`outcome.later`); with a file of this person's
        being built already, by "masih disiapkan", and nothing is built."""
        if not any(f.recipe is not None for m in outcome.answers for f in m.files):
            return
        pending: list[OutMessage] = []
        answers: list[OutMessage] = []  # with "sedang disiapkan" where a file is being built
        refused: list[OutMessage] = []  # without: the answers when this person has a file being built already
        for message in outcome.answers:
            if not any(f.recipe is not None for f in message.files):
                answers.append(message)
                refused.append(message)
                continue
            made = self._from_cache(message)
            if made is not None:
                answers.append(made)
                refused.append(made)
                continue
            pending.append(message)
            text = next((f.recipe.waiting for f in message.files if f.recipe is not None and f.recipe.waiting), None)
            if text:
                answers.append(OutMessage.of(text))
        if pending and not self.claim(owner):
            language = next(f.recipe.language for f in pending[0].files if f.recipe is not None)
            outcome.answers = [*refused, OutMessage.of(t("build.busy", language))]
            return
        if pending:
            outcome.later.append(Later(self.spawn(self._finish(owner, pending)), pending))
        outcome.answers = answers

    def _from_cache(self, message: OutMessage) -> OutMessage | None:
        files = []
        for f in message.files:
            if f.recipe is None:
                files.append(f)
                continue
            content = self.cached(f.recipe)
            if content is None:
                return None
            files.append(replace(f, content=content, recipe=None))
        return replace(message, files=tuple(files))

    async def _finish(self, owner: Hashable, messages: list[OutMessage]) -> list[OutMessage]:
        """Build each message's files; one that fails becomes a kind word. The person's place is given back whatever
        happens (a failure, a stop)."""
        try:
            done: list[OutMessage] = []
            for message in messages:
                try:
                    files = [replace(f, content=await self.build(f.recipe), recipe=None) if f.recipe else f
                             for f in message.files]  # fmt: skip
                    done.append(replace(message, files=tuple(files)))
                except Exception:
                    recipe = next(f.recipe for f in message.files if f.recipe is not None)
                    log.exception("building a %s failed", recipe.builder)
                    done.append(OutMessage.of(t("build.failed", recipe.language)))
            return done
        finally:
            self.release(owner)

    def follow(self, later: Later, send: Send) -> None:
        """Send `later`'s answers through the adapter's `send` when they are built."""
        self.spawn(self._deliver(later, send))

    async def _deliver(self, later: Later, send: Send) -> None:
        for message in await later.ready:
            try:
                await send(message)
            except Exception:
                log.warning("a built file could not be sent", exc_info=True)

    # --- tasks and stopping ---------------------------------------------------------------------------------------

    def spawn(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def idle(self) -> None:
        """Wait until every file being built has been built and sent."""
        while True:
            running = [task for task in self._tasks if _ours(task)]
            if not running:
                return
            await asyncio.gather(*running, return_exceptions=True)

    async def close(self, wait: float = CLOSE_WAIT) -> None:
        """Let the files being built finish for up to `wait` seconds, cancel the rest, and stop the pool. A later
        build starts a new pool."""
        running = [task for task in self._tasks if _ours(task)]
        if running:
            _, late = await asyncio.wait(running, timeout=wait)
            for task in late:
                task.cancel()
            if late:
                log.warning("stopped %d file(s) still being built", len(late))
                await asyncio.gather(*late, return_exceptions=True)
        self._tasks.clear()
        self._building.clear()
        self._owners.clear()
        executor, self._executor = self._executor, None
        if executor is not None:
            await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)
            log.info("report pool stopped")

    @property
    def started(self) -> bool:
        """Whether the pool's processes are running (tests: it stops with the runtime)."""
        return self._executor is not None


def _ours(task: asyncio.Task[Any]) -> bool:
    """A task of the running loop (an earlier loop's tasks ended with it)."""
    try:
        return task.get_loop() is asyncio.get_running_loop() and not task.done()
    except RuntimeError:
        return False
