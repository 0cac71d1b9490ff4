"""Checks, one module per family; importing this package registers all of them."""

from mediavet.verify.checks import (  # noqa: F401
    claims, dates, daylight, files, forensics, metadata, provenance, software, thumbnail, video)
