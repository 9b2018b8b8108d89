"""The built-in templates, shipped as the package `outreach.templates` (see pyproject.toml).

A workspace's own `templates/` folder overrides any of them by file name.
"""
