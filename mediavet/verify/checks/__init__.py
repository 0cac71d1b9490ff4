"""Checks, one module per family; importing this package registers all of them."""

from mediavet.verify.checks import claims, dates, files, metadata, software, thumbnail, video  # noqa: F401
