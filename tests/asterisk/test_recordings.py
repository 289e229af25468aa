"""Recordings through the real Asterisk: a valid WAV of the right length, named .wav, gone from the PBX."""

import base64
import io
import wave

from .conftest import wait_for, wait_hangup
from .test_inbound_calls import seconds_between


def wav_seconds(event):
    audio = base64.b64decode(event["recording"]["data_base64"])
    with wave.open(io.BytesIO(audio)) as wav:
        return wav.getnframes() / wav.getframerate()


def test_a_recorded_call_arrives_as_a_valid_wav_of_its_length_and_leaves_the_pbx(pbx, odoo, make_bridge):
    odoo.route = {"steps": [{"extensions": ["201"], "timeout": 10}], "fallback": "hangup"}
    pbx.agent("201", ring=1)
    make_bridge(record_calls=True)
    call_id = pbx.call_in(talk=4)
    hangup = wait_hangup(odoo, call_id)
    recording = odoo.wait_event(call_id, "recording", timeout=15)
    answered = odoo.of(call_id)[1]
    assert recording["recording"]["name"].endswith(".wav")
    assert recording["recording"]["content_type"] == "audio/wav"
    assert abs(wav_seconds(recording) - seconds_between(answered, hangup)) < 1.0
    wait_for(lambda: not pbx.stored_recordings(), timeout=10)
