"""HTTP/2 for the engine: a sans-I/O codec (:mod:`.codec`) around the ``h2``
library, the streams that answer requests (:mod:`.stream`, the same Responder
contract HTTP/1.1 gives mounts), the asyncio adapter (:mod:`.protocol`), the
switch points from HTTP/1.1 (:mod:`.switch`: prior knowledge and ``Upgrade:
h2c``) and TLS with ALPN (:mod:`.tls`).  See docs/http2.md.
"""
