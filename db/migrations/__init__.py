"""SQL migration files, applied in order by :mod:`db.migrate`."""
