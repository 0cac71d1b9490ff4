"""mediavet: verify and safely redact media sent by sources."""

__version__ = "0.1.0"
