"""The settlement pages: charges, invoices, statements and vouchers, on one blueprint."""
from . import invoice_views, statement_views, views, voucher_views
from .blueprint import bp

__all__ = ["bp", "invoice_views", "statement_views", "views", "voucher_views"]
