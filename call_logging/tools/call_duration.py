"""Call durations as people read them: mm:ss, or h:mm:ss past an hour."""

# No call lasts longer.
MAX_DURATION = 24 * 3600


def format_duration(seconds):
    """Render a number of seconds as ``mm:ss``, or ``h:mm:ss`` from one hour on."""
    seconds = max(int(seconds or 0), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"
