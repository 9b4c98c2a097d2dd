"""One module per page (plus `common`), each with `JA` and `EN` dicts of the same keys."""
