"""The DIAN toolkit: pure functions and value objects for Colombian e-invoicing.

Check digits, UBL 2.1 builders, CUFE/CUDE/CUDS, XAdES-EPES signing and
verification. No network, database or file access beyond the package's own
XSD files.
"""
