"""A simulated Asterisk that speaks ARI (REST and events WebSocket) on loopback.

It plays Local-channel call legs the way a real Asterisk 22 does (recordings of
one are replayed by ``tests/bridge/test_simulator_fidelity.py``), so that the bridge
can be developed, tested and demonstrated without a PBX.
"""
