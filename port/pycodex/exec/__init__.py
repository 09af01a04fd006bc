"""`pycodex exec`: the non-interactive front end."""
