"""The review page (`mediavet review`): a local web server where an editor sees the verdicts and decides the redaction; session.py holds the work, server.py serves it."""
