"""logreg_book: what the book needs beyond the library.

The demos and their widgets (:mod:`~logreg_book.plotting`, :mod:`~logreg_book.widgets`,
:mod:`~logreg_book.demo_widget`, :mod:`~logreg_book.player`), the figures of the library's
mathematics (:mod:`~logreg_book.figures`), the symbolic checks behind the proof chapters
(:mod:`~logreg_book.symbolic`) and the Sphinx extension that builds the website
(:mod:`logreg_book.sphinx`). Each module imports what it draws with (matplotlib, ipywidgets,
sympy) itself; importing the package imports none of them.
"""
