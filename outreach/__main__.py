import sys

from outreach.cli.main import entry_point

sys.exit(entry_point())
