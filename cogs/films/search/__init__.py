"""Name matching for every option that names a film, a person or a character: see `index`."""
