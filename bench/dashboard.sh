#!/usr/bin/env bash
# Benchmark: the logged-in dashboard (GET /dashboard), the page everyone sees
# after login, against nginx serving a same-size file. See bench/README.md.
PAGE=/dashboard NAME=dashboard EXPECT='Dobrý den' exec "$(dirname "$0")/page.sh" "$@"
