"""Marquee: a Discord bot for film fan communities."""

__version__ = "0.1.0"
