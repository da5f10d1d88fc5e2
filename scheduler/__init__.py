"""The reminder outbox: planning, sweeping, sending and escalating (docs/architecture.md, "How a reminder flows").

`planner` decides which messages should exist, `sweep` claims, sends and marks them, `messages` composes what each
says from the database as it is when it goes out.
"""
