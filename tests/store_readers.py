#!/usr/bin/env python3
"""Reads a virtperf store with one outside reader and prints `campaign tool rows`, one line per
partition, sorted (for tests/store.rs). Also checks that every string column reads as a plain
string type (not a view type, which older readers refuse), that every file is Snappy-compressed
(pyarrow), and that the catalog is apart from the data (a glob over campaign=*/ and a Hive
dataset of the folder read data rows only).

Usage: store_readers.py duckdb|pyarrow|pandas|polars STORE
Exit status 3 when the reader is not installed (the test then skips, or fails under CI).
"""
import sys

reader, store = sys.argv[1], sys.argv[2]
glob = f"{store}/campaign=*/*/*.parquet"
DATA_COLUMNS = {"source", "workload", "platform", "metric", "value", "campaign", "tool"}


def missing(e):
    print(f"{reader} is not installed: {e}", file=sys.stderr)
    sys.exit(3)


def emit(rows):
    for c, t, n in sorted(rows):
        print(c, t, n)


if reader == "duckdb":
    try:
        import duckdb
    except ImportError as e:
        missing(e)
    rel = duckdb.sql(
        f"SELECT campaign, tool, count(*) AS n, count(DISTINCT typeof(source)) AS k, any_value(typeof(source)) AS ty "
        f"FROM read_parquet('{glob}', hive_partitioning = true) GROUP BY ALL"
    ).fetchall()
    assert all(ty == "VARCHAR" for *_, ty in rel), rel
    emit([(c, t, n) for c, t, n, _, _ in rel])
    # One query of docs/store.md: mean of the primary metric per campaign and platform.
    duckdb.sql(
        f"SELECT campaign, workload, platform, metric, avg(value), stddev_samp(value), count(*) "
        f"FROM read_parquet('{glob}', hive_partitioning = true) WHERE \"primary\" GROUP BY ALL"
    ).fetchall()
elif reader == "pyarrow":
    try:
        import pyarrow as pa
        import pyarrow.dataset as ds
    except ImportError as e:
        missing(e)
    # The folder itself: `_catalog` is skipped (pyarrow ignores names starting with _ or .).
    table = ds.dataset(store, format="parquet", partitioning="hive").to_table()
    assert DATA_COLUMNS <= set(table.column_names), table.column_names
    for f in table.schema:
        assert f.type != pa.string_view(), f"{f.name} is a string view"
    counts = table.group_by(["campaign", "tool"]).aggregate([([], "count_all")]).to_pylist()
    emit([(r["campaign"], r["tool"], r["count_all"]) for r in counts])
    # Every file, the catalog too, in Snappy: the codec every Parquet reader has (docs/store.md).
    import glob as files
    import pyarrow.parquet as pq
    for path in files.glob(f"{store}/**/*.parquet", recursive=True):
        md = pq.read_metadata(path)
        codecs = {md.row_group(g).column(c).compression
                  for g in range(md.num_row_groups) for c in range(md.num_columns)}
        assert codecs == {"SNAPPY"}, f"{path}: {codecs}"
elif reader == "pandas":
    try:
        import pandas as pd
        import pyarrow  # noqa: F401  (pandas' Parquet engine)
    except ImportError as e:
        missing(e)
    df = pd.read_parquet(store)
    assert DATA_COLUMNS <= set(df.columns), list(df.columns)
    counts = df.groupby(["campaign", "tool"], observed=True).size()
    emit([(str(c), str(t), int(n)) for (c, t), n in counts.items()])
elif reader == "polars":
    try:
        import polars as pl
    except ImportError as e:
        missing(e)
    lf = pl.scan_parquet(glob, hive_partitioning=True)
    schema = lf.collect_schema()
    assert schema["source"] == pl.String, schema
    counts = lf.group_by("campaign", "tool").len().collect()
    emit(counts.iter_rows())
    cat = pl.read_parquet(f"{store}/_catalog/files.parquet")
    assert {"path", "sha256", "size", "parser", "status", "message"} <= set(cat.columns), cat.columns
else:
    sys.exit(f"unknown reader {reader}")
