"""`python -m dcplan` runs the command line."""

from dcplan.cli import app

if __name__ == "__main__":  # guarded: sweep workers (spawned processes) re-import this module
    app(prog_name="dcplan")
