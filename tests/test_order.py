"""People side by side, each in order (`bot.channels.telegram.processor`): one person's burst of texts and presses is
handled one at a time in the order sent while another person is answered; a flood is shed at arrival with a bounded
backlog. The assertions are on order and on completion, never on time."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict

from bot.channels.telegram import adapter
from handlers import flood
from tests.world import JATIROTO, ROJOPOLO, Role, World


async def until(check, what: str, seconds: float = 120) -> None:
    """Wait until `check()` holds (what was sent has been handled); the bound only ends a test that would hang."""
    for _ in range(int(seconds / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not done: {what}")


class Recorder:
    """Wraps the adapter's hand-over to the chat core: what each person's updates were, in the order their handling
    ended, and how many of one person's were ever in flight at once. `hold` (a text) waits until `release` is set."""

    def __init__(self, hold: str | None = None) -> None:
        self.ended: dict[str, list[str]] = defaultdict(list)
        self.in_flight: dict[str, int] = defaultdict(int)
        self.most: dict[str, int] = defaultdict(int)
        self.hold, self.release = hold, asyncio.Event()
        self.real = adapter.dispatch

    async def dispatch(self, core, incoming, facts):
        who = incoming.sender.user_id
        what = incoming.text or incoming.choice or incoming.command or "?"
        self.in_flight[who] += 1
        self.most[who] = max(self.most[who], self.in_flight[who])
        try:
            if what == self.hold:
                await asyncio.wait_for(self.release.wait(), 60)
            number = int(what.rsplit(" ", 1)[-1].rsplit(":", 1)[-1]) if what[-1:].isdigit() else 0
            for _ in range(number * 7 % 5):  # uneven work: updates that ran side by side would end out of order
                await asyncio.sleep(0)
            return await self.real(core, incoming, facts)
        finally:
            self.in_flight[who] -= 1
            self.ended[who].append(what)


async def test_one_persons_burst_is_handled_in_order_while_another_person_is_answered(world: World, monkeypatch):
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    recorder = Recorder(hold="tes 0")
    monkeypatch.setattr(adapter, "dispatch", recorder.dispatch)
    processor = world.bot.update_processor
    await sekdes.send_text("/kirim")
    menu = await sekdes.expect("Dokumen mana")
    data = menu.buttons[0][0][1]
    sent = []
    for number in range(15):
        await sekdes.send_text(f"tes {number}")
        sent.append(f"tes {number}")
        if number % 3 == 2:  # presses on one message, between the texts
            await sekdes.press_callback(menu, f"{data}", f"press {number}")
            sent.append(data)
    await staf.send_text("/status")
    await staf.expect("Jatiroto", timeout=30)  # answered while the secretary's first update is still held
    assert recorder.ended["101"] == ["kirim"]  # nothing of the burst has ended yet: the first one holds the line
    recorder.release.set()
    await until(lambda: len(recorder.ended["101"]) == len(sent) + 1, "the burst")
    await until(lambda: processor.people_waiting == 0, "the lines emptied")
    assert recorder.ended["101"] == ["kirim", *sent]
    assert recorder.most["101"] == 1  # never two of one person's updates at once


async def test_a_flood_is_warned_once_and_shed_at_arrival_and_the_backlog_is_bounded(world: World, monkeypatch, caplog):
    """300 messages from one account at once: with the gate, a burst passes, one warning, the rest dropped before
    they wait for anything; with a gate that lets everything through, the backlog stops at the cap and is logged.
    Another person is answered meanwhile, and the bot goes on serving."""
    caplog.set_level(logging.WARNING)
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    processor = world.bot.update_processor
    world.bot.bot_data["flood_gate"] = flood.FloodGate(now=lambda: 0.0)
    recorder = Recorder(hold="tes 0")
    monkeypatch.setattr(adapter, "dispatch", recorder.dispatch)
    answered = len(sekdes.messages)
    for number in range(300):
        await sekdes.send_text(f"tes {number}")
    await staf.send_text("/status")
    await staf.expect("Jatiroto", timeout=30)
    recorder.release.set()
    await until(lambda: len(sekdes.messages) - answered == flood.BURST + 1, "the burst's answers and the warning")
    await until(lambda: processor.people_waiting == 0, "the lines emptied")
    replies = [m.text for m in sekdes.messages[answered:]]
    assert len([r for r in replies if "terlalu cepat" in r]) == 1 and "terlalu cepat" in replies[-1]
    assert recorder.ended["101"] == [f"tes {n}" for n in range(flood.BURST)]  # in order; the rest never waited
    assert processor.people_waiting == 0

    world.bot.bot_data["flood_gate"] = flood.FloodGate(burst=10_000)  # a gate that stops nothing: the cap does
    recorder.release.clear()
    recorder.hold = "lagi 0"
    dropped = processor.dropped
    for number in range(300):
        await sekdes.send_text(f"lagi {number}")
    await until(lambda: processor.dropped - dropped >= 300 - 1 - processor.backlog, "the backlog's overflow dropped")
    assert processor.dropped - dropped == 300 - 1 - processor.backlog  # one in hand, `backlog` waiting
    assert any("updates waiting: one dropped" in r.getMessage() for r in caplog.records)
    await staf.send_text("/status")
    await staf.expect("Jatiroto", timeout=30)  # someone else, still answered at once
    recorder.release.set()

    def lagi() -> list[str]:
        return [w for w in recorder.ended["101"] if w.startswith("lagi")]

    await until(lambda: len(lagi()) == processor.backlog + 1, "the backlog handled")
    await until(lambda: processor.people_waiting == 0, "the lines emptied")
    assert lagi() == [f"lagi {n}" for n in range(processor.backlog + 1)]
    assert processor.people_waiting == 0
