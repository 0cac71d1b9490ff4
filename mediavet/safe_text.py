"""Text from outside (file names, metadata, error messages that quote them) made safe for a
terminal: every control character - escape sequences, carriage returns, newlines - becomes
U+FFFD, so a crafted name cannot set the title, clear the screen or forge extra lines."""


def clean(value) -> str:
    return "".join(ch if ch.isprintable() else "\N{REPLACEMENT CHARACTER}" for ch in str(value))
