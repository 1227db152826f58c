class StaleVersion(Exception):
    """The write was based on a version that is no longer current; nothing was changed."""
