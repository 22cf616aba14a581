"""`python -m dcplan` runs the command line."""

from dcplan.cli import app

app(prog_name="dcplan")
