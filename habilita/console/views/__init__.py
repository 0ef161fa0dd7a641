"""The console's Flask-Admin views, one module per page family."""
