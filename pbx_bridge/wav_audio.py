"""Checks a recording fetched from Asterisk before it is posted: a WAV whose header is right.

Asterisk writes a WAV's sizes into its header when the recording ends. A recording cut short
by a crash (``kill -9``) keeps the placeholder sizes (zero), and most players then refuse the
file. The audio before the crash is all there, so the header is rewritten from the file's
real length; a file without audio, or that is no WAV at all, is refused.
"""

import struct


def checked_wav(data):
    """``data`` as a valid WAV (repaired when its sizes are wrong), or ``None`` when it holds no audio."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    offset, fmt, data_start = 12, None, None
    while offset + 8 <= len(data):
        chunk, size = data[offset:offset + 4], struct.unpack("<I", data[offset + 4:offset + 8])[0]
        if chunk == b"fmt ":
            fmt = data[offset + 8:offset + 8 + size]
        elif chunk == b"data":
            data_start = offset + 8
            break
        offset += 8 + size + (size & 1)
    if fmt is None or len(fmt) < 16 or data_start is None:
        return None
    block_align = struct.unpack("<H", fmt[12:14])[0] or 1
    audio_size = (len(data) - data_start) // block_align * block_align
    if audio_size == 0:
        return None
    declared = struct.unpack("<I", data[data_start - 4:data_start])[0]
    if declared == audio_size and struct.unpack("<I", data[4:8])[0] == data_start + audio_size - 8:
        return data[:data_start + audio_size]
    return (b"RIFF" + struct.pack("<I", data_start + audio_size - 8) + data[8:data_start - 4]
            + struct.pack("<I", audio_size) + data[data_start:data_start + audio_size])

