"""Reports as marked PDFs (issue 23): Jinja HTML templates drawn to PDF with WeasyPrint.

A report reads through the same services and access rules as the pages, so a viewer gets only what
they may read; it is marked with the highest classification of what it shows and the releasability
common to all of it (a banner at the top and bottom of every page), every record carries its portion
mark, and the same input always gives the same bytes. The package sits above the web UI (it reuses the
UI's labels, catalogue and markings) and below the CLI and the API, which mount its commands and routes.
"""
