"""Use-cases. Each takes an `AsyncSession` and plain values and returns plain values; the caller owns the
transaction (`async with sessions() as s, s.begin(): ...`). Nothing here knows Telegram or the terminal."""
