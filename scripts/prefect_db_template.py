"""Make gameops/data/prefect-sqlite.db.gz: the SQLite database the installed Prefect's own
migrations create, empty, compacted and gzipped (see gameops/prefect_database.py).

Run it (``make prefect-template``) after raising the Prefect version in pyproject.toml; the
tests fail while the installed Prefect does not know the template's migration revision.
"""

from __future__ import annotations

import gzip
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "gameops" / "data" / "prefect-sqlite.db.gz"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="gameops-prefect-template-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        env.update({"PREFECT_HOME": tmp, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"})
        prefect = Path(sys.executable).with_name("prefect")
        subprocess.run([str(prefect), "server", "database", "upgrade", "-y"], env=env, cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL)
        db = Path(tmp) / "prefect.db"
        conn = sqlite3.connect(db)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA journal_mode=DELETE")
            conn.execute("VACUUM")
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        finally:
            conn.close()
        OUT.parent.mkdir(parents=True, exist_ok=True)
        part = OUT.with_suffix(".part")
        with open(part, "wb") as raw, gzip.GzipFile(filename="prefect.db", mode="wb", fileobj=raw, mtime=0) as gz:
            gz.write(db.read_bytes())
        os.replace(part, OUT)
    print(f"{OUT.name}: revision {revision}, {OUT.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
