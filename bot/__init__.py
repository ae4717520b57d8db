"""The running app: CLI, configuration, platform adapters, the core they call, the worker."""
