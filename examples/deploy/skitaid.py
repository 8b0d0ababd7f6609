#!/usr/bin/env python3
# The launch script the container and the systemd unit run.
import os

import notes

import skitai

if __name__ == "__main__":
    skitai.mount("/", notes)
    skitai.run(
        port=5000,
        address=os.environ.get("SKITAI_ADDRESS", "127.0.0.1"),
        workers=int(os.environ.get("SKITAI_WORKERS", "2")),  # 2+: a master replaces workers on SIGHUP
        name="notes",
        access_log_json=os.environ.get("SKITAI_LOG_JSON") == "1",
        metrics=os.environ.get("SKITAI_METRICS") == "1",
        # the proxy in front (nginx, a load balancer); empty: believe no forwarded headers
        trusted_proxies=tuple(filter(None, os.environ.get("SKITAI_TRUSTED_PROXIES", "").split(","))),
    )
