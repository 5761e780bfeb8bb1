"""The command line: typer commands and rich rendering, thin over the core and the transport."""
