"""Exponential back-off with jitter, shared by ARI reconnection and Odoo delivery.

Small enough to keep here rather than add a dependency: both users need an
interruptible wait (the bridge must stop promptly), which retry decorators
do not offer.
"""

import random


class Backoff:
    """Delays of 0.5, 1, 2, 4 ... seconds up to ``cap``, each with ±20 % jitter."""

    def __init__(self, base=0.5, cap=30.0):
        self.base = base
        self.cap = cap
        self.attempt = 0

    def next_delay(self):
        """The delay before the next attempt; each call doubles the next one."""
        delay = min(self.cap, self.base * (2 ** self.attempt))
        self.attempt += 1
        return delay * random.uniform(0.8, 1.2)

    def reset(self):
        """Start again from the base delay after a success."""
        self.attempt = 0
