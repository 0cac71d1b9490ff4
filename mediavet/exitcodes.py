"""The process exit codes every command shares."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # nothing at or above --fail-on
    FINDINGS = 1  # a finding at or above --fail-on (verify, audit)
    USAGE = 2  # click's own usage errors
    INPUT_ERROR = 3  # some input could not be read or is unsupported; the rest was processed
    NOT_CLEAN = 4  # a redaction could not be proven clean; nothing written for that file
