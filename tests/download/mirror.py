"""A local mirror for tests/download/test_download.sh: serve the folder `sys.argv[1]` on 127.0.0.1 (a free port,
written to the file `sys.argv[2]`) until killed.

    python tests/download/mirror.py FOLDER PORT_FILE
"""
import functools, http.server, sys
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, address): pass # torchvision opens each URL once to follow redirects and hangs up
server = Server(('127.0.0.1', 0), functools.partial(Quiet, directory=sys.argv[1]))
open(sys.argv[2], 'w').write(str(server.server_port))
server.serve_forever()
