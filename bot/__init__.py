"""Ngobras Klambi: the application (configuration, database, services, texts, CLI)."""
