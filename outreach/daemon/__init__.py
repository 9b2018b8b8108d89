"""The daemon: scheduled jobs, push sync through IMAP IDLE, and cron mode.

Sits on top with the CLI: it runs the application's use cases and the CLI's
own subcommands as jobs. Pure parts (`due`, `backoff`) take `now` and data;
the rest owns one kind of service plumbing each (lock, signals, watchers).
"""
