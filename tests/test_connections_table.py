"""test-connections' table: columns line up in terminal cells, whatever the names are written in."""

from __future__ import annotations

from rich.cells import cell_len

from llama_config.model.probes import ProbeResult
from llama_config.model.probes.result import Category
from llama_config.tui.commands.test_connections import format_table


def test_columns_line_up_in_cells_with_wide_characters_in_a_name():
    results = [
        ProbeResult("数据库", "kv_sqlite", Category.OK, "opened", latency_ms=1.5, server_version="SQLite 3.40.1"),
        ProbeResult("kv_default_store", "kv_redis", Category.REFUSED, "connection refused", latency_ms=12.0),
    ]
    lines = format_table(results).splitlines()
    assert lines[1].startswith("数据库") and lines[2].startswith("kv_default_store")
    # each column starts (LATENCY: ends) at the same cell on every line
    def cells_before(words: tuple[str, str, str], end: bool = False) -> set[int]:
        return {cell_len(line[: line.index(word) + (len(word) if end else 0)]) for line, word in zip(lines, words)}

    assert len(cells_before(("TYPE", "kv_sqlite", "kv_redis"))) == 1, lines
    assert len(cells_before(("RESULT", "ok", "refused"))) == 1, lines
    assert len(cells_before(("LATENCY", "1.5 ms", "12 ms"), end=True)) == 1, lines
