"""The default workspace files that `outreach init` writes, shipped as `outreach.default_config`."""
