#!/usr/bin/env python3
"""index_damage.py INDEX — overwrites the pages of the records and bodies
tables of a stopped knowd's search index with garbage (not the schema, not
the indexes that a cheap count reads), as a failing disk would. Prints how
many pages it damaged."""
import sqlite3
import sys

path = sys.argv[1]
db = sqlite3.connect(path)
size = db.execute("PRAGMA page_size").fetchone()[0]
pages = [p for (p,) in db.execute(
    "SELECT pageno FROM dbstat WHERE name IN ('records', 'bodies') AND pageno > 1")]
db.close()
with open(path, "r+b") as f:
    for p in pages:
        f.seek((p - 1) * size)
        f.write(bytes((i * 37 + 11) % 256 for i in range(size)))
print(len(pages))
