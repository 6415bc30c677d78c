"""The fuzz run's summary at the end of the session: requests and 5xx per database."""
from tests.security import fuzz_report


def pytest_terminal_summary(terminalreporter):
    if fuzz_report.REQUESTS:
        terminalreporter.write_sep("-", "fuzzed requests (tests/security/test_fuzz.py)")
        for line in fuzz_report.lines():
            terminalreporter.write_line(line)
