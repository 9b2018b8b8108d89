"""The pure core: parsing, validation, classification, matching, rendering, reporting.

Takes text, data and `now`; returns data or raises an input error listing every
problem. No network, database, file system, subprocess or clock in here
(tests/test_layers.py keeps it so).
"""
