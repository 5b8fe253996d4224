"""The benchmark's yardstick: a bare Flask app answering every GET with a one-line JSON body.

Served by Granian like ``serve``, it is the most the stack can do; the body names a ``tzid`` so the
rent -> read -> close flow script runs through all three steps against it too.
"""

from __future__ import annotations

from flask import Flask, Response

app = Flask(__name__)
BODY = b'{"response":1,"tzid":100000}'


@app.get("/", defaults={"path": ""})
@app.get("/<path:path>")
def answer(path: str) -> Response:
    return Response(BODY, mimetype="application/json")
