"""Pure accounting domain for the e-invoicing integration (P3), no I/O.

- :mod:`habilita.accounting.charts`: the standard charts of accounts per country,
  read from this package's CSV files, with levels and which accounts take
  postings.
- :mod:`habilita.accounting.posting`: how one electronic document becomes the lines
  of one balanced voucher.
"""
