"""Small real WAV files for the simulated recordings."""

import io
import math
import struct
import wave

SAMPLE_RATE = 8000


def tone_wav(seconds, frequency=440.0):
    """Return the bytes of a mono 16-bit 8 kHz WAV holding a soft sine tone.

    The length follows the recording's duration (at least a tenth of a second,
    at most a minute) so that files look like what Asterisk stores.
    """
    seconds = min(max(seconds, 0.1), 60.0)
    frames = int(SAMPLE_RATE * seconds)
    samples = (
        int(8000 * math.sin(2 * math.pi * frequency * n / SAMPLE_RATE)) for n in range(frames)
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(b"".join(struct.pack("<h", s) for s in samples))
    return buffer.getvalue()
