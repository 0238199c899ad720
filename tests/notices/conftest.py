from tests.meetings.conftest import clock, s1  # noqa: F401 - the same clock and S1's community
