"""The sales-channel domain: marketplace orders, their notifications and the
DANE city list the invoices need. Pure: no I/O beyond reading the packaged
city data; the HTTP side lives in ``habilita.adapters.marketplace_client``."""
