"""A ``requests`` transport that hands each request straight to a WSGI app in this process.

The kit's own in-process mock answers its calls this way: no socket, no server thread, no connection
made and closed per call (Werkzeug's server closes every one). A call costs about a fifth of the round
trip over loopback HTTP, and the kit's runs are mostly calls. The app sees what a server would give it
(method, path, query, headers, body) and its answer comes back as a ``requests.Response`` with status,
headers and body; what only a socket has (a timeout, a dropped connection) is mapped below.
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from werkzeug.test import EnvironBuilder, run_wsgi_app


class WSGITransport(BaseAdapter):
    """Mount it on a session for the app's base URL: ``session.mount(url + "/", WSGITransport(app))``.

    A request's ``timeout`` does not apply: the app runs in the caller's thread to its end. A connection
    the app drops (a fault rule's ``drop``) raises ``requests.ConnectionError``, as over HTTP."""

    def __init__(self, app: Any) -> None:
        super().__init__()
        self.app = app

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: Any = True, cert: Any = None, proxies: Any = None) -> requests.Response:
        url = urlsplit(request.url or "")
        body = request.body.encode() if isinstance(request.body, str) else request.body or b""
        environ = EnvironBuilder(method=request.method, base_url=f"{url.scheme}://{url.netloc}", path=url.path,
                                 query_string=url.query, headers=list(request.headers.items()),
                                 data=body).get_environ()
        try:
            chunks, status, headers = run_wsgi_app(self.app, environ, buffered=True)
        except ConnectionError as exc:  # the mock's DroppedConnection, raised where no socket is to drop
            raise requests.ConnectionError(str(exc), request=request) from None
        content = b"".join(chunks)
        code, _, reason = status.partition(" ")
        response = requests.Response()
        response.status_code, response.reason = int(code), reason
        response.headers = CaseInsensitiveDict(headers.to_wsgi_list())
        response.encoding = get_encoding_from_headers(response.headers)
        response.raw, response._content = io.BytesIO(content), content
        response.url, response.request, response.connection = request.url, request, self
        return response

    def close(self) -> None:
        """Nothing to close: no connection was opened."""
