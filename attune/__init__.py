"""Attune: a Discord bot for mindfulness communities."""

__version__ = "0.1.0"
