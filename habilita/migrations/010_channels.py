"""Peewee migrations -- 010_channels.py.

Sales channels (P4): a company's connection to its ERP and marketplace (its
access key sealed, its settings in force with their version) and one row per
order it saw, unique per connection and order id.
"""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    @migrator.create_model
    class ChannelConnection(pw.Model):
        id = pw.AutoField()
        company = pw.ForeignKeyField(column_name='company_id', field='id', model=migrator.orm['company'],
                                     on_delete='CASCADE')
        workflow_id = pw.CharField(max_length=200, unique=True)
        name = pw.CharField(max_length=60)
        erp_tax_id = pw.CharField(max_length=15, default="")
        erp_check_digit = pw.CharField(max_length=1, default="")
        api_user = pw.CharField(max_length=100, default="")
        access_key_sealed = pw.BlobField(null=True)
        marketplace_user_id = pw.CharField(max_length=20, index=True)
        state = pw.CharField(max_length=20, default="connecting")
        settings_json = pw.TextField(default="")
        settings_version = pw.IntegerField(default=0)
        invoicing_stopped_reason = pw.TextField(default="")
        created_by = pw.CharField(max_length=200)
        created_at = pw.DateTimeField()
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "channel_connection"

    @migrator.create_model
    class ChannelOrder(pw.Model):
        id = pw.AutoField()
        connection = pw.ForeignKeyField(column_name='connection_id', field='id',
                                        model=migrator.orm['channel_connection'], on_delete='CASCADE')
        order_id = pw.CharField(max_length=20)
        workflow_id = pw.CharField(max_length=200, unique=True)
        state = pw.CharField(max_length=20, default="waiting")
        reason = pw.TextField(default="")
        marketplace_status = pw.CharField(max_length=30, default="")
        source_channel = pw.CharField(max_length=60, default="")
        logistic_type = pw.CharField(max_length=30, default="")
        buyer_name = pw.CharField(max_length=200, default="")
        total = pw.CharField(max_length=24, default="")
        currency = pw.CharField(max_length=3, default="")
        sku_overrides = pw.TextField(default="")
        settings_version = pw.IntegerField(default=0)
        invoice_id = pw.CharField(max_length=64, default="")
        invoice_number = pw.CharField(max_length=40, default="")
        dian_status = pw.CharField(max_length=20, default="")
        cufe = pw.CharField(max_length=96, default="")
        notifications = pw.IntegerField(default=0)
        attempts = pw.IntegerField(default=0)
        first_seen_at = pw.DateTimeField()
        updated_at = pw.DateTimeField(index=True)
        invoiced_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "channel_order"
            indexes = ((("connection", "order_id"), True), (("connection", "state"), False))


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.remove_model('channel_order')
    migrator.remove_model('channel_connection')
