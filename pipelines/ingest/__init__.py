"""Ingestion: recognise exports, map columns, type, validate, dedupe, record and undo loads."""

from pipelines.ingest.load import LoadReport, ingest_file, list_loads, undo_load
from pipelines.ingest.mapping import ColumnSpec, Mapping
from pipelines.ingest.recognize import propose_mapping
from pipelines.ingest.source import Source, open_source

__all__ = [
    "ColumnSpec",
    "LoadReport",
    "Mapping",
    "Source",
    "ingest_file",
    "list_loads",
    "open_source",
    "propose_mapping",
    "undo_load",
]
