"""``python -m bot`` runs the ``teamweather`` command line."""

from bot.cli import main

if __name__ == "__main__":  # not when a spawned scoring process imports it
    main()
