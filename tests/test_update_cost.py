"""What one update costs in statements: a secretary's /status and each step of a whole /kirim stay within a budget.

A count of statements is deterministic where a time is not (speed is measured in `benchmarks/`, e.g.
`python -m benchmarks.updates`). Each update is one transaction (the one that records its delivery,
`bot.services.updates`); the budget is an upper bound on its statements, BEGIN, SAVEPOINT and RELEASE included, on
each database. Before issue 19 the same steps took (SQLite / PostgreSQL) /status 15 / 14, /kirim 14 / 13, the
pressed document 13 / 12, the PDF 11 / 10 (and 4 / 3 in the read before it), the date 15 / 14, the nomor 14 / 13,
Kirim 30 / 29.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from bot.services.drafts import clear_draft, get_draft, save_draft
from models.tables import Person
from tests.world import JATIROTO, PDF, ROJOPOLO, Role, World

# (what the secretary does, the answer it waits for) -> statements of the update's transaction, SQLite / PostgreSQL
BUDGETS = {
    "status": (12, 11),
    "kirim": (9, 8),
    "choose": (9, 8),
    "pdf": (8, 7),
    "date": (9, 8),
    "nomor": (9, 8),
    "send": (25, 24),
}
READ_BEFORE_A_FILE = (2, 1)  # the file is fetched outside the update's transaction, after this read


class Transactions:
    """The statements of each transaction on the bot's engine, in the order the transactions ended."""

    def __init__(self, world: World) -> None:
        self.engine = world.app.engine.sync_engine
        self.open: dict[int, list[str]] = {}
        self.ended: list[list[str]] = []
        self.listeners = [("before_cursor_execute", self._statement), ("commit", self._end), ("rollback", self._end)]
        for name, listener in self.listeners:
            event.listen(self.engine, name, listener)

    def _statement(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.open.setdefault(id(conn), []).append(" ".join(statement.split()))

    def _end(self, conn) -> None:
        self.ended.append(self.open.pop(id(conn), []))

    def take(self) -> list[list[str]]:
        ended, self.ended = self.ended, []
        return ended

    def close(self) -> None:
        for name, listener in self.listeners:
            event.remove(self.engine, name, listener)


def update_transaction(transactions: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """The one transaction that recorded the update's delivery, and the transactions that ended before it."""
    [index] = [i for i, t in enumerate(transactions) if any("INSERT INTO processed_update" in s for s in t)]
    return transactions[index], transactions[:index]


async def test_a_status_and_every_kirim_step_stay_within_their_statement_budget(world: World, database_url):
    sqlite = database_url.startswith("sqlite")
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Staf")
    obligation = await world.obligation_id(ROJOPOLO, "RKPDES", 2025)
    steps = [
        ("status", lambda: sekdes.send_text("/status"), "Status dokumen"),
        ("kirim", lambda: sekdes.send_text("/kirim"), "Dokumen mana"),
        ("choose", lambda: sekdes.press(f"k:o:{obligation}"), "Kirim berkas"),
        ("pdf", lambda: sekdes.send_document(PDF, "rkpdes.pdf", "application/pdf"), "Tanggal penetapan"),
        ("date", lambda: sekdes.send_text("27/09/2024"), "Nomor dokumennya"),
        ("nomor", lambda: sekdes.send_text("5 Tahun 2024"), "Periksa dulu"),
        ("send", lambda: sekdes.press("k:send"), "Tanda terima"),
    ]
    transactions = Transactions(world)
    spent: dict[str, list[str]] = {}
    try:
        for name, act, answer in steps:
            await world.sandbox.settle()
            transactions.take()
            world.clock.advance(timedelta(seconds=30))  # the contact's last message moves: a real write per update
            await act()
            await sekdes.expect(answer)
            spent[name], before = update_transaction(transactions.take())
            if name == "pdf":
                [read] = before
                assert len(read) <= READ_BEFORE_A_FILE[0 if sqlite else 1], read
    finally:
        transactions.close()
    over = {
        name: (len(statements), BUDGETS[name][0 if sqlite else 1], statements)
        for name, statements in spent.items()
        if len(statements) > BUDGETS[name][0 if sqlite else 1]
    }
    assert not over, over
    assert all(any("UPDATE contact" in s for s in statements) for statements in spent.values())  # still recorded


async def test_a_draft_read_in_a_transaction_is_read_once_and_forgotten_with_a_savepoint(app, clock):
    """The draft a step reads three times is one statement; a savepoint rolled back (bad input) leaves no draft of
    its own behind, and a draft cleared and started again in one transaction is a new row."""
    async with app.sessions() as session, session.begin():
        person = Person(name="Siti", created_at=clock.now())
        session.add(person)
        await session.flush()
        await save_draft(session, person.id, "kirim", "choose", {}, clock.now())
    statements: list[str] = []

    def count(conn, cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(app.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with app.sessions() as session, session.begin():
            first = await get_draft(session, person.id)
            read = len(statements)
            assert await get_draft(session, person.id) is first
            assert len(statements) == read  # the second read is the first one's draft, no statement
            try:
                async with session.begin_nested():
                    await clear_draft(session, person.id)
                    await save_draft(session, person.id, "kirim", "file", {"obligation_id": 1}, clock.now())
                    assert (await get_draft(session, person.id)).step == "file"
                    raise ValueError("bad input")
            except ValueError:
                pass
            again = await get_draft(session, person.id)
            assert again is not None and again.step == "choose"  # read afresh: the savepoint's draft is gone
            assert await clear_draft(session, person.id)
            assert await get_draft(session, person.id) is None
            await save_draft(session, person.id, "catat", "files", {}, clock.now())
        async with app.sessions() as session:
            draft = await get_draft(session, person.id)
            assert (draft.flow, draft.step) == ("catat", "files")
    finally:
        event.remove(app.engine.sync_engine, "before_cursor_execute", count)
