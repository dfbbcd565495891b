"""Readers of container formats the loaders share (XLSX workbooks)."""
