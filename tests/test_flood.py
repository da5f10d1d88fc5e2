"""A flood from one account does not stall the others: a stranger and a secretary each send 300 messages, and the
bot answers another person's /status; the flooders get a bounded number of answers and one warning each, and the
flood does not become 600 transactions. (Updates are handled side by side: the test waits for the answers it counts,
not for the sandbox to be quiet.)"""

from __future__ import annotations

from sqlalchemy import func, select

from handlers import flood
from models.tables import ProcessedUpdate
from tests.test_order import until
from tests.world import JATIROTO, ROJOPOLO, Role, World

WARNING = "terlalu cepat"


async def handled(world: World) -> int:
    [(count,)] = await world.rows(select(func.count()).select_from(ProcessedUpdate))
    return count


async def test_300_messages_from_one_account_do_not_stall_the_others(world):
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    world.bot.bot_data["flood_gate"] = flood.FloodGate(now=lambda: 0.0)  # the flood arrives within one instant
    stranger = world.sandbox.user(999, "Orang", label="Orang asing")
    before, answered = await handled(world), len(sekdes.messages)
    for number in range(300):
        await stranger.send_text(f"halo {number}")
        await sekdes.send_text(f"tes {number}")
    await staf.send_text("/status")
    await staf.expect("Jatiroto", timeout=60)
    await until(lambda: len(sekdes.messages) - answered == flood.BURST + 1, "the secretary's answers")
    await until(lambda: len(stranger.messages) == 2, "the stranger's")
    await until(lambda: world.bot.update_processor.people_waiting == 0, "every line handled")
    told = [m.text for m in stranger.messages]
    assert len(told) == 2 and "belum terdaftar" in told[0] and WARNING in told[1]  # how to join, once; the warning
    replies = [m.text for m in sekdes.messages[answered:]]
    assert len(replies) == flood.BURST + 1 and WARNING in replies[-1]
    assert not [text for text in replies[:-1] if WARNING in text]
    assert await handled(world) - before == 2 * flood.BURST + 1  # the rest never reached the database


def test_the_gate_lets_a_steady_person_through_and_forgives_after_the_quiet_time():
    now = [0.0]
    gate = flood.FloodGate(now=lambda: now[0])
    assert [gate.admit(1) for _ in range(flood.BURST)] == [flood.Verdict.PASS] * flood.BURST  # a whole album
    assert gate.admit(1) is flood.Verdict.WARN
    assert gate.admit(1) is flood.Verdict.DROP and gate.admit(2) is flood.Verdict.PASS  # others go on
    now[0] += flood.QUIET - 1
    assert gate.admit(1) is flood.Verdict.DROP
    now[0] += 1
    assert gate.admit(1) is flood.Verdict.PASS
    for _ in range(600):  # one a second, for ten minutes: never stopped
        now[0] += 1 / flood.REFILL_PER_SECOND
        assert gate.admit(3) is flood.Verdict.PASS
