"""The reminder outbox: planning, sweeping, sending and escalating (ARCHITECTURE.md, "Reminders are rows").

Empty until the reminders issue; the working-day calendar it needs is `models.calendar.WorkingCalendar`.
"""
