"""DIAN UBL 2.1 XSD set shipped as package data (a package so setuptools includes the files)."""
