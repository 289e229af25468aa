"""The PBX bridge: Asterisk ARI events in, call events out to Odoo.

Pure Python (requests, websocket-client, sqlite3); it imports nothing from
Odoo and can run on the PBX host. See README.md beside this file.
"""
