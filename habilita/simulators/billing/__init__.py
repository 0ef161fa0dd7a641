"""A local stand-in for the certificate seller: billing (payments) and the
certificate authority that issues real X.509 signing certificates."""
