"""One writer of benchmarks/stores.py: ingest a folder of snapshots into a store when told to go.

    python benchmarks/stores_writer.py DB FOLDER

It imports versioner and opens the store first, says `ready`, and starts when a line comes on stdin, so
the writers of a run start together and the figure is the ingest's, not Python's start-up. It ingests
through `ingest_paths`, as `versioner --db DB ingest FOLDER` does, prints its summary and the CPU it
used as JSON, and keeps its connection until stdin ends, so the server's side can be counted too.
"""

import json
import sys
import time
from pathlib import Path

from versioner.ingest_files import ingest_paths
from versioner.store import Store


def main() -> int:
    db, folder = sys.argv[1], Path(sys.argv[2])
    store = Store(db)
    print("ready", flush=True)
    sys.stdin.readline()
    started = time.process_time()
    summary = ingest_paths(store, [folder]).to_json()
    del summary["results"]
    summary["cpu_seconds"] = time.process_time() - started
    print(json.dumps(summary), flush=True)
    sys.stdin.readline()  # the connection stays open until then: its server process's CPU is counted
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
