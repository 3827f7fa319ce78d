#!/usr/bin/env python3
"""Writes N distinct signed Zoom deliveries for bench/intake.lua, one per line: the signature,
a tab, the compact JSON body. All carry the request timestamp given (Zoom signs
`v0:<timestamp>:<body>` with HMAC-SHA256 and the webhook secret token, docs/zoom.md §2).

    intake_requests.py SECRET TIMESTAMP N OUT_FILE
"""
import hashlib
import hmac
import sys

secret, ts, count, out = sys.argv[1].encode(), sys.argv[2], int(sys.argv[3]), sys.argv[4]
with open(out, "w") as f:
    for i in range(count):
        # Compact JSON, keys in the order JSON.stringify gives them back (Zoom's Node sample
        # re-serialises the parsed body before checking the signature).
        body = (
            '{"event":"meeting.updated","payload":{"account_id":"benchAccount",'
            '"operator":"o@example.com","operator_id":"op","time_stamp":%d,'
            '"object":{"id":%d,"topic":"Topic %d"},"old_object":{"id":%d,"topic":"Old"}},'
            '"event_ts":%d}' % (1_800_000_000_000 + i, 80_000_000_000 + i, i, 80_000_000_000 + i,
                                1_800_000_000_000 + i)
        )
        mac = hmac.new(secret, f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
        f.write(f"v0={mac}\t{body}\n")
