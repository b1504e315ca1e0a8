"""The centre service's side of dossier numbering: blocks of the day's shared range, one after another."""

from __future__ import annotations

from datetime import date

from app.core.dossier_code import BLOCK_SIZE, CodeBlock, next_shared_block
from app.store.writer import Tx, Writer


def reserve_block(writer: Writer, day: date, size: int = BLOCK_SIZE) -> CodeBlock:
    """The next block of `day`, committed before it is returned, so no two counters ever get one number."""

    def job(tx: Tx) -> CodeBlock:
        row = tx.conn.execute("SELECT last_given FROM dossier_code_blocks WHERE day=?", (day.isoformat(),)).fetchone()
        block = next_shared_block(day, int(row[0]) if row else 0, size)
        tx.conn.execute(
            "INSERT INTO dossier_code_blocks (day, last_given) VALUES (?, ?) "
            "ON CONFLICT (day) DO UPDATE SET last_given = excluded.last_given",
            (day.isoformat(), block.last),
        )
        return block

    return writer.run(job)
