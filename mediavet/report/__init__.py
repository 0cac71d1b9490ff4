"""Report writers: terminal (rich) and JSON. They format; they never decide."""
