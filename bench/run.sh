#!/bin/sh
# Runs every benchmark under bench/ (make bench).
set -e
cd "$(dirname "$0")/.."
for b in bench/*.sh; do
	case "$b" in */run.sh) continue ;; esac
	bash "$b"
done
