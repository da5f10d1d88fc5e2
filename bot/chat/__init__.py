"""The chat core's vocabulary, known to every channel and to none in particular (docs/architecture.md).

- `messages`: what comes in (`Incoming`: who wrote, a command, a text, a choice, files, a reply) and what goes out
  (`OutMessage`: text, choices, files), as data an adapter turns into its platform's calls.
- `actions`: every choice the bot offers is a typed action with one short encoding, the same id for a Telegram
  `callback_data` and a WhatsApp button or list row.
- `transport`: what an adapter offers the outbox (deliver one message to an address) and how a delivery fails.
"""
