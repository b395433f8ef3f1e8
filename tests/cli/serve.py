"""Serves a directory on a free loopback port, over TLS when given a certificate and its key.
Prints the port on its first line. Used by tests/cli/release.rs as a releases server."""

import functools
import http.server
import ssl
import sys

directory, *tls = sys.argv[1:]
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=directory)
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
if tls:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*tls)
    server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
