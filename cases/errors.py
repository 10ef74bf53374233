"""The one domain error of Casework, in a module of its own so that every layer (services, the
locking helper, views) can import it without importing the services."""


class CaseworkError(Exception):
    """A rule of the domain was broken; ``str(error)`` is the message for the user."""
