"""Checks, one module per family; importing this package registers all of them."""

from mediavet.verify.checks import (  # noqa: F401
    claims, copy_move, dates, daylight, files, forensics, metadata, provenance, software, thumbnail, video)
