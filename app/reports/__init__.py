"""Registers and reports the centre keeps on file (Excel workbooks); no Qt, no network."""
