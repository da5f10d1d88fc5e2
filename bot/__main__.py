"""`python -m bot ...` is `klambi ...`."""

from bot.cli import main

raise SystemExit(main())
