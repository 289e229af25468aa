"""A simulated Asterisk that speaks ARI (REST and events WebSocket) on loopback.

It plays Local-channel call legs the way the recordings in
``shared/ari-samples`` show a real Asterisk 22 doing it, so that the bridge
can be developed, tested and demonstrated without a PBX.
"""
