"""The Movie Database (TMDB, API v3): an HTTP client that is polite to TMDB, and what Marquee builds on it."""

NOTICE = "This product uses the TMDB API but is not endorsed or certified by TMDB."
"""TMDB's terms ask every product using its API to say this: /about, the README and every card of a film
whose pack came from TMDB do."""
