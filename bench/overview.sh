#!/usr/bin/env bash
# Benchmark: "Moje údaje" (GET /me), the overview of the citizen's register
# data on the demo connector, against nginx serving a same-size file. Every
# request reads the six register sections (from the cache once warm) and
# appends a read to the hash-chained audit log. See bench/README.md.
PAGE=/me NAME=overview EXPECT='Moje údaje' exec "$(dirname "$0")/page.sh" "$@"
