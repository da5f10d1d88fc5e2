"""The reminder outbox: planning, sweeping, sending and escalating (docs/architecture.md, "How a reminder flows").

Empty until the reminders issue; the working-day calendar it needs is `models.calendar.WorkingCalendar`.
"""
