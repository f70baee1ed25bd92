"""The book as one PDF: ``python -m logreg_book.pdf`` (``make pdf``; README, "The PDF").

- ``edition``: every page of ``_toc.yml``, from the built website, joined into one document;
- ``printer``: Debian's Chromium prints it; the contents' page numbers and the outline are
  read from the print and written in with pypdf.

A build tool, as the Sphinx extension is: the notebooks never import it (Binder does not need
Playwright or pypdf).
"""
