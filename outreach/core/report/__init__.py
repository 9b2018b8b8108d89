"""The report: who haven't I supported lately, and what could I do for them.

Pure core. `rank` builds a `Report` from the roster, the journal's figures
and `now`; `render` turns it into table, markdown, csv, json or html text.
"""
