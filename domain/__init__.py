"""What every other package may import: the errors and the published shape of a team's week.

The layers, each importing only those before it: ``domain`` → ``storage`` → ``analyzers``
→ ``training`` → ``bot`` (``tests/test_architecture.py`` checks it).
"""
