"""The store's two exceptions; each message is one sentence a page can show as it is."""


class StoreUnavailable(RuntimeError):
    """The database cannot be reached (or migrated); training goes on without saving."""


class SaveRefused(ValueError):
    """This save was refused: a field is too big or malformed, or too many saves in a minute."""
