"""The Movie Database (TMDB, API v3): an HTTP client that is polite to TMDB, and what Marquee builds on it."""
