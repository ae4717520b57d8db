"""``python -m bot`` runs the ``teamweather`` command line."""

from bot.cli import main

main()
